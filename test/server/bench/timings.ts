// Where the post->DM delay goes (#12), per alert: the plugin process's own marks (GET
// /plugins/trigger-alerts/debug/alert-timings, system admins only; server/alerts/alert_timings.ts) joined with
// the DM's create_at from the database. The steps add up to the delay the bench reports:
//   server->hook  the post's create_at to our hook starting (the server's post path, the hook RPC)
//   stamp         the channel's version stamp read (the words confirmed)
//   lookups       the users and memberships lookups, beyond the stamp (they start alongside it)
//   ledger        the recipient's ledger compare-and-set (with any wait behind the same user's previous alert)
//   format        the DM's text
//   CreatePost    CreatePost sent to the DM's create_at (the RPC and the server's own post path)
// with the process's GC pauses and event-loop delay beside them, and the slowest 1 % of alerts split the same
// way: what the p99 is made of.
import type {ReceivedAlert} from './alerts_received.js';
import {percentile} from './stats.js';

const PLUGIN_ID = 'trigger-alerts';

interface AlertTiming {
    post_id: string;
    user_id: string;
    post_create_at: number;
    hook_start_at: number;
    stamp_ms: number;
    lookups_ms: number;
    claimed_ms: number;
    dm_sent_ms: number;
    dm_done_ms: number;
}

export interface AlertTimingsReport {
    pid: number;
    posts: number;
    hook_ms_total: number;
    cpu_ms: number;
    alerts: AlertTiming[];
    gc: Array<{at: number; ms: number; kind: number}>;
    event_loop: {p50: number; p99: number; max: number};
}

/** The figures of the plugin process of the server at `serverUrl`; undefined for a plugin without the route. */
export async function readAlertTimings(serverUrl: string, adminToken: string): Promise<AlertTimingsReport | undefined> {
    const res = await fetch(`${serverUrl}/plugins/${PLUGIN_ID}/debug/alert-timings`, {
        headers: {Authorization: `Bearer ${adminToken}`, 'X-Requested-With': 'XMLHttpRequest'},
        signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 200) {
        await res.arrayBuffer();
        return undefined;
    }
    return (await res.json()) as AlertTimingsReport;
}

export const STEPS = ['server->hook', 'stamp', 'lookups', 'ledger', 'format', 'CreatePost'] as const;
export type Step = (typeof STEPS)[number];

/** One delivered alert's delay, split into STEPS (ms); they sum to `total`. */
export interface AlertSplit {
    total: number;
    steps: Record<Step, number>;
    /** When the post was created and the DM was (server clock, ms): GC pauses in between are this alert's. */
    from: number;
    to: number;
}

/** The splits of the alerts of `report` that arrived as DMs in `dms` (by post and recipient). */
export function splitAlerts(report: AlertTimingsReport, dms: readonly ReceivedAlert[]): AlertSplit[] {
    const dmAt = new Map<string, number>();
    for (const dm of dms) {
        const key = `${dm.postId}:${dm.recipientId}`;
        dmAt.set(key, Math.min(dmAt.get(key) ?? Infinity, dm.createAt));
    }
    const out: AlertSplit[] = [];
    for (const a of report.alerts) {
        const at = dmAt.get(`${a.post_id}:${a.user_id}`);
        if (at === undefined) {
            continue;
        }
        const lookupsAt = Math.max(a.stamp_ms, a.lookups_ms);
        const steps: Record<Step, number> = {
            'server->hook': a.hook_start_at - a.post_create_at,
            stamp: a.stamp_ms,
            lookups: lookupsAt - a.stamp_ms,
            ledger: a.claimed_ms - lookupsAt,
            format: a.dm_sent_ms - a.claimed_ms,
            CreatePost: at - (a.hook_start_at + a.dm_sent_ms),
        };
        out.push({total: at - a.post_create_at, steps, from: a.post_create_at, to: at});
    }
    return out;
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '-');

/** Lines: each step's p50 / p99, the slowest 1 %'s mean split, GC and event-loop figures. */
export function describeSplits(splits: readonly AlertSplit[], gc: AlertTimingsReport['gc'], loop?: AlertTimingsReport['event_loop']): string[] {
    if (splits.length === 0) {
        return [];
    }
    const lines: string[] = [];
    const totals = splits.map((s) => s.total);
    lines.push(`    where the time goes, ${splits.length} alerts (ms, p50 / p99 of each step; total ${f(percentile(totals, 50))} / ${f(percentile(totals, 99))}):`);
    lines.push(`      ${STEPS.map((s) => `${s} ${f(percentile(splits.map((x) => x.steps[s]), 50))} / ${f(percentile(splits.map((x) => x.steps[s]), 99))}`).join(', ')}`);
    const cut = percentile(totals, 99);
    const slow = splits.filter((s) => s.total >= cut);
    const mean = (step: Step) => slow.reduce((sum, s) => sum + s.steps[step], 0) / slow.length;
    const gcIn = (s: AlertSplit) => gc.filter((g) => g.at + g.ms >= s.from && g.at <= s.to).reduce((sum, g) => sum + g.ms, 0);
    const slowGc = slow.reduce((sum, s) => sum + gcIn(s), 0) / slow.length;
    lines.push(`      slowest 1 % (${slow.length} alerts, >= ${f(cut)} ms), mean: ${STEPS.map((s) => `${s} ${f(mean(s))}`).join(', ')}; GC during them ${f(slowGc)}`);
    const pauses = gc.map((g) => g.ms);
    lines.push(`      GC: ${pauses.length} pauses, ${f(pauses.reduce((a, b) => a + b, 0))} ms in all, max ${f(pauses.length ? Math.max(...pauses) : 0)}` +
        (loop ? `; event-loop delay p50 ${f(loop.p50)} p99 ${f(loop.p99)} max ${f(loop.max)}` : ''));
    return lines;
}
