// At most N alert DMs per user per minute, across every server of the cluster: the rule. The counts live in
// the user's alert ledger (recipient_ledger.ts), next to the "already alerted about this post" markers, so
// that one compare-and-set decides both: two servers can never both see "N-1" and both send the N+1th DM,
// and no held-back alert is counted twice or lost.
//
// A fixed window per wall-clock minute (minute = floor(epoch ms / 60 000)): up to 2N DMs can fall within 60 s
// that straddle a minute boundary; that is the accepted trade-off for one small counter.

export const FLOOD_WINDOW_MS = 60_000;

/** A user's flood-control counters. */
export interface FloodWindow {
    /** The minute `count` is about. */
    minute: number;
    /** DMs admitted in that minute. */
    count: number;
    /** Alerts held back since the last DM (whatever their minute). */
    held: number;
}

export interface FloodDecision {
    /** Send the DM. */
    allowed: boolean;
    /**
     * allowed: alerts held back since the last DM, for this DM to report (the counter restarts at 0).
     * Not allowed: the held-back count including this alert.
     */
    held: number;
    next: FloodWindow;
}

export const minuteOf = (epochMs: number): number => Math.floor(epochMs / FLOOD_WINDOW_MS);

/**
 * One more alert for a user whose counters are `current`, at `now`: admitted if that keeps the minute's
 * count within `limitPerMinute`. A limit below 1 (or NaN) holds back every alert; Infinity admits every
 * alert (and still reports and resets the held-back count).
 */
export function floodStep(current: FloodWindow, now: number, limitPerMinute: number): FloodDecision {
    const limit = Number.isNaN(limitPerMinute) ? 0 : Math.floor(limitPerMinute);
    const minute = minuteOf(now);
    const count = current.minute === minute ? current.count : 0;
    if (limit >= 1 && count < limit) {
        return {allowed: true, held: current.held, next: {minute, count: count + 1, held: 0}};
    }
    return {allowed: false, held: current.held + 1, next: {minute, count, held: current.held + 1}};
}
