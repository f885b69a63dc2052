import { createRequire } from 'node:module';
import QRCode from 'qrcode';

// pngjs ships without types; it is qrcode's own PNG encoder, so reading with it adds no dependency.
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } };
};

/** The dark modules a QR code of `text` must have (as the server renders it: level M), row by row. */
export function expectedModules(text: string): { size: number; dark: boolean[] } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: Array.from(modules.data, (bit) => bit === 1) };
}

/** Reads a PNG QR code (margin 1) back into modules by sampling each module's centre. */
export function modulesOfPng(png: Buffer, size: number): { width: number; height: number; dark: boolean[] } {
  const image = PNG.sync.read(png);
  const scale = image.width / (size + 2);
  const dark: boolean[] = [];
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size; col += 1) {
      const x = Math.floor((col + 1.5) * scale);
      const y = Math.floor((row + 1.5) * scale);
      dark.push(image.data[(y * image.width + x) * 4]! < 128);
    }
  }
  return { width: image.width, height: image.height, dark };
}

/** Reads an SVG QR code (margin 1) back into modules from its dark path (M, m and h commands). */
export function modulesOfSvg(svg: string, size: number): { viewBox: string; dark: boolean[] } {
  const viewBox = /viewBox="([^"]+)"/.exec(svg)?.[1] ?? '';
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const dark = new Array<boolean>(size * size).fill(false);
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of path.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (command === 'M') [x, y] = [Number(a), Number(b) - 0.5];
    else if (command === 'm') x += Number(a);
    else {
      for (let i = 0; i < Number(a); i += 1) dark[(y - 1) * size + (x - 1 + i)] = true;
      x += Number(a);
    }
  }
  return { viewBox, dark };
}
