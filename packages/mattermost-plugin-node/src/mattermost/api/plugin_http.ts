// PluginHTTP's buffered wire shape (client_rpc.go pluginHTTPBuffered): the request as an
// HTTPRequestSubset with its body alongside, the *http.Response back with its body alongside. The buffered
// form is the one every server line answers (PluginHTTPStream is newer).
import {t, GoMarshaled} from '../../transport/gob/index.js';

export interface PluginHTTPRequest {
    /** Default GET. */
    method?: string;
    /** "/<plugin id>/<path>" for another plugin, or a server path such as "/api/v4/users/me". */
    url: string;
    headers?: Record<string, string | readonly string[]>;
    body?: Uint8Array | string;
}

export interface PluginHTTPResponse {
    statusCode: number;
    status: string;
    headers: Record<string, string[]>;
    body: Uint8Array;
}

const requestSubset = t.struct('HTTPRequestSubset', [
    ['Method', t.string],
    // *url.URL crosses by its MarshalBinary: the URL's text
    ['URL', t.binaryMarshaler('url.URL')],
    ['Proto', t.string],
    ['ProtoMajor', t.int],
    ['ProtoMinor', t.int],
    ['Header', t.map(t.string, t.slice(t.string))],
    ['Host', t.string],
    ['RemoteAddr', t.string],
    ['RequestURI', t.string],
]);

export const pluginHTTPArgsType = t.struct('Z_PluginHTTPArgs', [
    ['Request', t.ptr(requestSubset)],
    ['RequestBody', t.bytes],
]);

export function requestSubsetOf(request: PluginHTTPRequest): Record<string, unknown> {
    const header: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(request.headers ?? {})) {
        header[k] = typeof v === 'string' ? [v] : [...v];
    }
    return {
        Method: request.method ?? 'GET',
        URL: request.url,
        Proto: 'HTTP/1.1',
        ProtoMajor: 1,
        ProtoMinor: 1,
        Header: header,
        RequestURI: request.url,
    };
}

function stringList(v: unknown): string[] {
    return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/** The reply (Z_PluginHTTPReturns) as a response, or null when the server had none. */
export function pluginHTTPResponseOf(r: Record<string, unknown>): PluginHTTPResponse | null {
    const res = r.Response;
    if (typeof res !== 'object' || res === null) {
        return null;
    }
    const fields = res as Record<string, unknown>;
    const headers: Record<string, string[]> = {};
    const rawHeader = fields.Header;
    if (rawHeader instanceof Map) {
        for (const [k, v] of rawHeader) {
            headers[String(k)] = stringList(v);
        }
    } else if (typeof rawHeader === 'object' && rawHeader !== null) {
        for (const [k, v] of Object.entries(rawHeader)) {
            headers[k] = stringList(v);
        }
    }
    const body = r.ResponseBody;
    return {
        statusCode: Number(fields.StatusCode ?? 0),
        status: typeof fields.Status === 'string' ? fields.Status : fields.Status instanceof GoMarshaled ? fields.Status.toString() : '',
        headers,
        body: body instanceof Uint8Array ? body : new Uint8Array(0),
    };
}
