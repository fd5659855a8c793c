import { crc32, inflateSync } from 'node:zlib';

/** A decoded image: 8-bit RGBA, row by row from the top left. */
export interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 2: 3, 6: 4 };

/**
 * Decodes a non-interlaced 8-bit RGB or RGBA PNG (what resvg writes), checking the signature, every chunk's CRC,
 * the scanline filters and the data length: a file that passes was written whole and reads as an image.
 */
export function decodePng(file: Buffer): DecodedPng {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < file.length && !ended) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (body.length !== length) throw new Error(`PNG chunk ${type} is cut off`);
    if (crc32(file.subarray(offset + 4, offset + 8 + length)) !== file.readUInt32BE(offset + 8 + length))
      throw new Error(`PNG chunk ${type} fails its CRC`);
    if (type === 'IHDR')
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8]!,
        colorType: body[9]!,
        interlace: body[12]!,
      };
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (!header || !ended) throw new Error('PNG without IHDR or IEND');
  const channels = CHANNELS[header.colorType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlace !== 0)
    throw new Error(
      `unsupported PNG: bit depth ${header.bitDepth}, colour type ${header.colorType}, interlace ${header.interlace}`,
    );
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  if (raw.length !== header.height * (stride + 1))
    throw new Error(`PNG data is ${raw.length} bytes, not ${header.height * (stride + 1)}`);
  const pixels = unfilter(raw, header.height, stride, channels);
  const rgba = new Uint8Array(header.width * header.height * 4);
  for (let index = 0; index < header.width * header.height; index += 1) {
    for (let channel = 0; channel < 4; channel += 1)
      rgba[index * 4 + channel] = channel < channels ? pixels[index * channels + channel]! : 255;
  }
  return { width: header.width, height: header.height, rgba };
}

/** Undoes the per-scanline filters (none, sub, up, average, Paeth). */
function unfilter(raw: Buffer, height: number, stride: number, bytesPerPixel: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)]!;
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    for (let index = 0; index < stride; index += 1) {
      const left = index >= bytesPerPixel ? out[row * stride + index - bytesPerPixel]! : 0;
      const up = row > 0 ? out[(row - 1) * stride + index]! : 0;
      const upLeft = row > 0 && index >= bytesPerPixel ? out[(row - 1) * stride + index - bytesPerPixel]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      if (predictor === undefined) throw new Error(`PNG scanline ${row} has unknown filter ${filter}`);
      out[row * stride + index] = (line[index]! + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
}
