// Where an alert's time goes inside this plugin process, for benchmarks on a real server (#12: the post->DM
// p99): per alert, when the hook started (wall clock, to set against the post's create_at) and how long
// after that the version stamp, the lookups, the ledger and the DM were done; the process's garbage
// collections and event-loop delay next to them. The post->DM delay a benchmark measures from the server's
// timestamps splits into: the server's post path up to our hook, these steps, and the server's CreatePost.
// Bounded (the newest MAX_ALERTS alerts, a few hundred KB; a benchmark phase has 450), a few clock reads per
// post: cheap enough to stay on, and small enough not to show as growth in bench:soak's live-heap check.
import {monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram} from 'node:perf_hooks';

/** Alerts kept, newest last. */
export const MAX_ALERTS = 2_000;
/** GC pauses kept, newest last. */
export const MAX_GCS = 1_000;

export interface AlertTiming {
    post_id: string;
    user_id: string;
    /** The post's create_at (server wall clock, ms). */
    post_create_at: number;
    /** When our hook started (this process's wall clock, ms; same machine as the server in a benchmark). */
    hook_start_at: number;
    /** Since hook start, ms: the channel's words confirmed (stamp read), the recipients looked up, the ledger decided, CreatePost sent and answered. */
    stamp_ms: number;
    lookups_ms: number;
    claimed_ms: number;
    dm_sent_ms: number;
    dm_done_ms: number;
}

export interface GcPause {
    /** Wall clock, ms. */
    at: number;
    ms: number;
    kind: number;
}

export interface AlertTimingsReport {
    pid: number;
    /** Posts the hook considered since the process started, and the total time their hooks took. */
    posts: number;
    hook_ms_total: number;
    /** CPU time of this process since the app was made (user + system, ms; activation included): its own share of the machine. */
    cpu_ms: number;
    alerts: AlertTiming[];
    gc: GcPause[];
    /** Event-loop delay since the process started (ms). */
    event_loop: {p50: number; p99: number; max: number};
}

/** One post's marks, filled in as it goes (times since the hook started). */
export class PostTiming {
    readonly hookStartAt = Date.now();
    private readonly t0 = performance.now();
    stampMs = Number.NaN;
    lookupsMs = Number.NaN;

    constructor(readonly post: {id: string; create_at: number}) {}

    since(): number {
        return performance.now() - this.t0;
    }
}

export class AlertTimings {
    private readonly alerts: AlertTiming[] = [];
    private readonly gcs: GcPause[] = [];
    private posts = 0;
    private hookMsTotal = 0;
    private readonly loop: IntervalHistogram;
    private readonly observer: PerformanceObserver;
    private readonly cpuAtStart = process.cpuUsage();

    constructor() {
        this.loop = monitorEventLoopDelay({resolution: 10});
        this.loop.enable();
        this.observer = new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
                const detail = (e as {detail?: {kind?: number}}).detail;
                push(this.gcs, {at: performance.timeOrigin + e.startTime, ms: e.duration, kind: detail?.kind ?? 0}, MAX_GCS);
            }
        });
        this.observer.observe({entryTypes: ['gc']});
    }

    post(post: {id: string; create_at: number}): PostTiming {
        return new PostTiming(post);
    }

    postDone(t: PostTiming): void {
        this.posts++;
        this.hookMsTotal += t.since();
    }

    alert(t: PostTiming, userId: string, marks: {claimedMs: number; dmSentMs: number; dmDoneMs: number}): void {
        push(this.alerts, {
            post_id: t.post.id,
            user_id: userId,
            post_create_at: t.post.create_at,
            hook_start_at: t.hookStartAt,
            stamp_ms: t.stampMs,
            lookups_ms: t.lookupsMs,
            claimed_ms: marks.claimedMs,
            dm_sent_ms: marks.dmSentMs,
            dm_done_ms: marks.dmDoneMs,
        }, MAX_ALERTS);
    }

    report(): AlertTimingsReport {
        const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
        return {
            pid: process.pid,
            posts: this.posts,
            hook_ms_total: this.hookMsTotal,
            cpu_ms: (() => {
                const u = process.cpuUsage(this.cpuAtStart);
                return (u.user + u.system) / 1000;
            })(),
            alerts: [...this.alerts],
            gc: [...this.gcs],
            event_loop: {p50: ms(this.loop.percentile(50)), p99: ms(this.loop.percentile(99)), max: ms(this.loop.max)},
        };
    }

    stop(): void {
        this.observer.disconnect();
        this.loop.disable();
    }
}

function push<T>(list: T[], item: T, max: number): void {
    list.push(item);
    if (list.length > max) {
        list.splice(0, list.length - max);
    }
}
