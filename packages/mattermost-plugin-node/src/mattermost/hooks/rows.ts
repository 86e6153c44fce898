// One hook as the generated hooks table describes it (generated/hooks_table.ts), and the Go wire names
// derived from it: the host sends `Z_<Hook>Args{A, B, C...}` and reads `Z_<Hook>Returns{A, B...}`,
// fields named by position.
import type {MethodRow, ParamRow, ResultRow} from '../model_table.js';

export type HookRow = MethodRow;
export type HookParam = ParamRow;
export type HookResult = ResultRow;

/** Z_ struct field name of the i-th argument or result: A, B, C... */
export function wireField(i: number): string {
    return String.fromCharCode(65 + i);
}
