import QRCode from 'qrcode';

/** An SVG QR code of a URL, for links people scan off a screen or a poster. */
export async function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}
