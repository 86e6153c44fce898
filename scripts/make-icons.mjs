// Draws the bot's profile picture (assets/bot-icon.png): a bell on a round badge. Kept as code so the
// image can be regenerated, and so no binary comes from outside the repository.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {deflateSync} from 'node:zlib';

const size = 256;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function crc32(buf) {
    let c = ~0;
    for (const b of buf) {
        c ^= b;
        for (let k = 0; k < 8; k++) {
            c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
        }
    }
    return ~c >>> 0;
}

function chunk(type, data) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
}

// Signed-distance shapes, sampled 4x4 per pixel for smooth edges.
const badge = [0x1c, 0x58, 0xd9];
const white = [0xff, 0xff, 0xff];
function colorAt(x, y) {
    const cx = size / 2;
    const dx = x - cx;
    const dy = y - cx;
    if (dx * dx + dy * dy > (size / 2) ** 2) {
        return null; // transparent outside the badge
    }
    // bell body: a rounded trapezoid between y=70 and y=170
    const t = (y - 70) / 100;
    const half = 38 + 30 * Math.max(0, Math.min(1, t)) ** 1.5;
    const inBody = y >= 70 && y <= 172 && Math.abs(dx) <= half && (y > 95 || dx * dx + (y - 100) ** 2 <= 40 ** 2);
    const inRim = y >= 168 && y <= 184 && Math.abs(dx) <= 76;
    const inClapper = (dx * dx + (y - 196) ** 2) <= 16 ** 2;
    const inKnob = (dx * dx + (y - 62) ** 2) <= 10 ** 2;
    return inBody || inRim || inClapper || inKnob ? white : badge;
}

const raw = Buffer.alloc((size * 4 + 1) * size);
for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
        let r = 0, g = 0, b = 0, a = 0;
        for (let sy = 0; sy < 4; sy++) {
            for (let sx = 0; sx < 4; sx++) {
                const c = colorAt(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
                if (c) {
                    r += c[0];
                    g += c[1];
                    b += c[2];
                    a += 255;
                }
            }
        }
        const o = y * (size * 4 + 1) + 1 + x * 4;
        const n = a / 255;
        raw[o] = n ? r / n : 0;
        raw[o + 1] = n ? g / n : 0;
        raw[o + 2] = n ? b / n : 0;
        raw[o + 3] = a / 16;
    }
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0);
ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8;
ihdr[9] = 6;
const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, {level: 9})),
    chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(path.join(root, 'assets/bot-icon.png'), png);

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"><circle cx="128" cy="128" r="128" fill="#1c58d9"/><path d="M128 52a10 10 0 0 1 10 10v4c24 6 38 28 38 54v30l20 18v16H60v-16l20-18v-30c0-26 14-48 38-54v-4a10 10 0 0 1 10-10z" fill="#fff"/><circle cx="128" cy="196" r="16" fill="#fff"/></svg>\n`;
writeFileSync(path.join(root, 'assets/icon.svg'), svg);
console.log(`assets/bot-icon.png (${png.length} bytes), assets/icon.svg`);
