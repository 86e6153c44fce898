// Just enough of a PNG decoder for Chromium's screenshots (8-bit RGB or RGBA, not interlaced), so the browser
// test can look at the pixels users see.
import {inflateSync} from 'node:zlib';

export interface Image {
    width: number;
    height: number;
    /** RGBA, row by row */
    data: Uint8Array;
}

export function decodePng(png: Buffer): Image {
    if (png.readUInt32BE(0) !== 0x89504e47) {
        throw new Error('not a PNG');
    }
    let offset = 8;
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat: Buffer[] = [];
    while (offset < png.length) {
        const length = png.readUInt32BE(offset);
        const type = png.toString('latin1', offset + 4, offset + 8);
        const body = png.subarray(offset + 8, offset + 8 + length);
        if (type === 'IHDR') {
            width = body.readUInt32BE(0);
            height = body.readUInt32BE(4);
            const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
            channels = colour === 6 ? 4 : colour === 2 ? 3 : 0;
            if (depth !== 8 || channels === 0 || interlace !== 0) {
                throw new Error(`unsupported PNG (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
            }
        } else if (type === 'IDAT') {
            idat.push(body);
        } else if (type === 'IEND') {
            break;
        }
        offset += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const rows = new Uint8Array(height * stride);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        for (let x = 0; x < stride; x++) {
            const v = raw[y * (stride + 1) + 1 + x]!;
            const a = x >= channels ? rows[y * stride + x - channels]! : 0;
            const b = y > 0 ? rows[(y - 1) * stride + x]! : 0;
            const c = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels]! : 0;
            let predicted = 0;
            if (filter === 1) {
                predicted = a;
            } else if (filter === 2) {
                predicted = b;
            } else if (filter === 3) {
                predicted = (a + b) >> 1;
            } else if (filter === 4) {
                const p = a + b - c;
                const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
                predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            rows[y * stride + x] = (v + predicted) & 0xff;
        }
    }
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
        data[i * 4] = rows[i * channels]!;
        data[i * 4 + 1] = rows[i * channels + 1]!;
        data[i * 4 + 2] = rows[i * channels + 2]!;
        data[i * 4 + 3] = channels === 4 ? rows[i * channels + 3]! : 255;
    }
    return {width, height, data};
}
