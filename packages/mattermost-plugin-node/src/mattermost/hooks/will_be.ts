// The "(changed value, rejection reason)" hooks whose wire client_rpc.go writes by hand: MessageWillBePosted,
// MessageWillBeUpdated, ChannelMemberWillBeAdded, TeamMemberWillBeAdded.
import {t, type GoType} from '../../transport/gob/index.js';
import type {RpcReply} from '../../transport/netrpc.js';
import type {ModelName} from '../generated/models.js';
import {modelToGo, modelType} from '../models.js';

import {argsOf, decodeArg} from './generic.js';
import {callLogged, contextOf, type ManualHook} from './manual_common.js';

const reply = (type: GoType, value: unknown): RpcReply => ({type, value});

/**
 * A "(changed value, rejection reason)" answer in either form the package types: `{[key]: value,
 * rejectReason}` or the generated hooks' tuple `[value, reason]`.
 */
export function willBeAnswer(result: unknown, key: string): [unknown, string] {
    if (Array.isArray(result)) {
        return [result[0], typeof result[1] === 'string' ? result[1] : ''];
    }
    if (typeof result === 'object' && result !== null) {
        const r = result as Record<string, unknown>;
        return [r[key], typeof r.rejectReason === 'string' ? r.rejectReason : ''];
    }
    return [undefined, ''];
}

/**
 * The "(changed value, rejection reason)" hooks. The plugin answers nothing (allow as is), `{[key]: value}`
 * (a replacement) or `{rejectReason}`. `echo`: the host starts from a zero reply rather than from the
 * value it passed in (MessageWillBeUpdated), so "as is" must send that value back: the one decoded off the
 * wire, not a copy converted through our model and back.
 */
export function willBeHook(spec: {go: string; ts: string; key: string; model: ModelName; args: readonly ModelName[]; echo: boolean}): ManualHook {
    const returns = t.struct(`Z_${spec.go}Returns`, [
        ['A', t.ptr(modelType(spec.model))],
        ['B', t.string],
    ]);
    return (ctx) => async (body) => {
        const a = argsOf(body);
        const raw = spec.args.map((_, i) => a[String.fromCharCode(66 + i)]);
        const values = spec.args.map((m, i) => decodeArg({struct: m}, raw[i]));
        const [changed, reason] = willBeAnswer(await callLogged(ctx, spec.go, spec.ts, [contextOf(a.A), ...values]), spec.key);
        if (reason) {
            return reply(returns, {B: reason});
        }
        if (changed !== undefined && changed !== null) {
            return reply(returns, {A: modelToGo(spec.model, changed)});
        }
        return reply(returns, {A: spec.echo ? raw[0] : undefined});
    };
}

