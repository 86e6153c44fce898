export {GobError} from './errors.js';
export {t, GoInterface, GoMarshaled} from './types.js';
export type {
    GoType,
    BasicKind,
    BasicType,
    InterfaceType,
    StructType,
    StructFields,
    PtrType,
    SliceType,
    ArrayType,
    MapType,
    MarshalerKind,
    MarshalerType,
    MarshaledKind,
} from './types.js';
export {GobEncoder} from './encoder.js';
export type {GobEncoderOptions} from './encoder.js';
export {GobDecoder} from './decoder.js';
export type {GobDecoderOptions} from './decoder.js';
