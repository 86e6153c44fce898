// time.Time crosses gob through its GobEncode, which is MarshalBinary: version byte, seconds since
// January 1 of year 1 (int64), nanoseconds (int32), zone offset in minutes (int16, -1 for UTC), and in
// version 2 the offset's leftover seconds. Its JSON, and so ours, is RFC 3339 with nanoseconds.

/** Seconds from January 1 of year 1 to the Unix epoch (Go's unixToInternal). */
const unixToInternal = 62_135_596_800;

const two = (n: number): string => String(n).padStart(2, '0');

/** Go's binary time → its JSON text (time.RFC3339Nano), or undefined if the bytes are not one. */
export function timeFromGob(b: Uint8Array): string | undefined {
    if (b.length < 15 || (b[0] !== 1 && b[0] !== 2) || (b[0] === 2 && b.length < 16)) {
        return undefined;
    }
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const sec = Number(view.getBigInt64(1));
    const nsec = view.getInt32(9);
    const offsetMin = view.getInt16(13);
    const offset = offsetMin === -1 ? 0 : offsetMin * 60 + (b[0] === 2 ? view.getInt8(15) : 0);
    const local = new Date((sec - unixToInternal + offset) * 1000);
    const year = local.getUTCFullYear();
    let s = `${String(year).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
    if (nsec > 0) {
        s += `.${String(nsec).padStart(9, '0').replace(/0+$/, '')}`;
    }
    if (offset === 0) {
        return `${s}Z`;
    }
    const abs = Math.abs(offset);
    return `${s}${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 3600))}:${two(Math.floor((abs % 3600) / 60))}`;
}

const rfc3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/** JSON text (RFC 3339) or a Date → Go's binary time; undefined for anything else. */
export function timeToGob(value: unknown): Uint8Array | undefined {
    let sec: number;
    let nsec: number;
    let offsetMin: number;
    if (value instanceof Date) {
        const ms = value.getTime();
        if (Number.isNaN(ms)) {
            return undefined;
        }
        sec = Math.floor(ms / 1000) + unixToInternal;
        nsec = (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
        offsetMin = -1;
    } else if (typeof value === 'string') {
        const m = rfc3339.exec(value);
        if (!m) {
            return undefined;
        }
        const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
        const date = new Date(0);
        date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
        date.setUTCHours(Number(h), Number(mi), Number(s), 0);
        const offset = z ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
        sec = date.getTime() / 1000 - offset + unixToInternal;
        nsec = frac ? Number(frac.padEnd(9, '0')) : 0;
        offsetMin = z ? -1 : offset / 60;
    } else {
        return undefined;
    }
    const b = new Uint8Array(15);
    const view = new DataView(b.buffer);
    b[0] = 1;
    view.setBigInt64(1, BigInt(sec));
    view.setInt32(9, nsec);
    view.setInt16(13, offsetMin);
    return b;
}
