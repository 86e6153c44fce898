export {GobError} from './errors';
export {t, GoInterface, GoMarshaled} from './types';
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
} from './types';
export {GobEncoder} from './encoder';
export type {GobEncoderOptions} from './encoder';
export {GobDecoder} from './decoder';
export type {GobDecoderOptions} from './decoder';
