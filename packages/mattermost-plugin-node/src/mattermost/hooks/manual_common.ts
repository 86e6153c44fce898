// What the hand-served hooks share: their context, the plugin.Context conversion, and the call that logs a throw.
import type {MuxBroker} from '../../transport/muxbroker.js';
import type {RpcMethod} from '../../transport/netrpc.js';
import type {PluginAPI} from '../api.js';

import {decodeArg, hookFunction, type HookLogger, type HookTarget} from './generic.js';

export interface ManualContext {
    plugin: HookTarget & {setAPI(api: PluginAPI): void};
    broker: MuxBroker;
    log: HookLogger;
}

export type ManualHook = (ctx: ManualContext) => RpcMethod;

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** plugin.Context as the plugin sees it: Go field names (it has no JSON tags), "" for what is not set. */
export function contextOf(value: unknown): Record<string, string> {
    return decodeArg({struct: 'PluginContext'}, value) as Record<string, string>;
}

/** Calls the plugin's method; a throw becomes a log line and the RPC error the host logs too. */
export async function callLogged(ctx: ManualContext, go: string, ts: string, args: unknown[]): Promise<unknown> {
    const fn = hookFunction(ctx.plugin, ts);
    if (!fn) {
        throw new Error(`hook ${go} called but not implemented`);
    }
    try {
        return await fn(...args);
    } catch (err) {
        ctx.log('error', `hook ${go} failed`, 'error', message(err));
        throw err;
    }
}

