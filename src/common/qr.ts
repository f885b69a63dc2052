import QRCode from 'qrcode';

// Medium error correction survives a crease or a smudge on a printed code without making it much denser.
const OPTIONS = { margin: 1, errorCorrectionLevel: 'M' } as const;

/** An SVG QR code of a URL, for links people scan off a screen or a poster; `size` sets its width in pixels. */
export async function qrSvg(url: string, size?: number): Promise<string> {
  return QRCode.toString(url, { ...OPTIONS, type: 'svg', ...(size ? { width: size } : {}) });
}

/** A PNG QR code of a URL, `size` pixels square (rounded down to whole modules by the encoder). */
export async function qrPng(url: string, size: number): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: size });
}
