// The hooks side of the binding: service "Plugin" on the stream the host dials after Dispense("hooks").
// Every hook of the generated table is served: those on client_rpc_generated.go's wire from their row
// (hooks/generic.ts), the hand-written ones and those with a friendlier signature by hooks/manual.ts.
// `Implemented` lists exactly the hooks the plugin object defines a method for.
import {t} from '../transport/gob/index.js';
import type {MuxBroker} from '../transport/muxbroker.js';
import {RpcServer, type RpcMethod} from '../transport/netrpc.js';
import type {Stream} from '../transport/yamux/index.js';

import {hookMethods} from './generated/hooks_table.js';
import {generatedHook, hookFunction, type HookLogger, type HookTarget} from './hooks/generic.js';
import {manualHooks, type ManualContext} from './hooks/manual.js';
import type {HookRow} from './hooks/rows.js';
import type {PluginAPI} from './api.js';

export type {HookLogger} from './hooks/generic.js';
export type {HookRow} from './hooks/rows.js';

/** Every hook of plugin.Hooks, as the generated table lists them (Implemented itself excepted). */
export const hookRows: readonly HookRow[] = hookMethods.filter((row) => row.go !== 'Implemented');

/**
 * Manual-wire hooks whose Z_ structs nevertheless follow the generated convention (A, B... by position),
 * so the table serves them.
 */
const tableShapedManual = new Set(['MessagesWillBeConsumed', 'MessagesWillBeConsumedWithContext']);

/** The Go names of the hooks the plugin object implements (has a method for). */
export function implementedHooks(plugin: HookTarget, rows: readonly HookRow[] = hookRows): string[] {
    return rows.filter((row) => hookFunction(plugin, row.ts) !== undefined).map((row) => row.go);
}

/** RPC method name (without "Plugin.") → its handler, for one plugin object. */
export function hookHandlers(ctx: ManualContext, rows: readonly HookRow[] = hookRows): Map<string, RpcMethod> {
    const handlers = new Map<string, RpcMethod>();
    for (const row of rows) {
        const manual = manualHooks[row.go];
        if (manual) {
            handlers.set(row.go, manual(ctx));
        } else if (row.wire === 'generated' || tableShapedManual.has(row.go)) {
            handlers.set(row.go, generatedHook(row, ctx.plugin, ctx.log));
        }
        // A manual hook this package does not know stays unserved: a clean "can't find method" reply.
    }
    // OnActivate is not optional for the host (it carries the API connection), whatever the table says.
    if (!handlers.has('OnActivate')) {
        const onActivate = manualHooks.OnActivate;
        if (onActivate) {
            handlers.set('OnActivate', onActivate(ctx));
        }
    }
    return handlers;
}

/** Serves the hooks of one plugin object on the dispensed stream. */
export function serveHooks(
    plugin: HookTarget & {setAPI(api: PluginAPI): void},
    stream: Stream,
    broker: MuxBroker,
    log: HookLogger,
    rows: readonly HookRow[] = hookRows,
): RpcServer {
    const implemented = implementedHooks(plugin, rows);
    const handlers = hookHandlers({plugin, broker, log}, rows);
    handlers.set('Implemented', () => ({type: implementedType, value: implemented}));
    // Keyed by the full "Plugin.<Hook>" name the host sends: no string cut per call.
    const byServiceMethod = new Map([...handlers].map(([name, handler]) => [`Plugin.${name}`, handler]));
    return new RpcServer(
        stream,
        (serviceMethod) => byServiceMethod.get(serviceMethod),
        {onMethodError: (m, err) => log('error', `RPC ${m} failed`, 'error', err instanceof Error ? err.message : String(err))},
    );
}

const implementedType = t.slice(t.string);
