// yamux (hashicorp/yamux v0.1.2 wire protocol) for the go-plugin transport.
export {Session} from './session.js';
export type {SessionOptions} from './session.js';
export {Stream} from './stream.js';
export {
    encodeHeader,
    parseHeader,
    Flag,
    FrameDecoder,
    FrameType,
    GoAwayCode,
    HEADER_SIZE,
    INITIAL_STREAM_WINDOW,
    PROTO_VERSION,
    YamuxError,
} from './frame.js';
export type {FrameHeader, FrameSink} from './frame.js';
