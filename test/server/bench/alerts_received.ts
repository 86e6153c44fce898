// The alert DMs a phase produced, read after the phase from the server's own database: one query instead of
// a hundred DM channels over REST, and the server's own create_at of each DM. Each plugin's DM names the
// post it is about (ours: its permalink .../pl/<post id>; the Go anchor: "... was mentioned: <post id>").
import {setTimeout as sleep} from 'node:timers/promises';

import {queryDatabase, type Database} from '../harness/postgres.js';

import type {SentPost} from './posting.js';
import type {PlannedPost} from './workload.js';

export interface ReceivedAlert {
    postId: string;
    recipientId: string;
    createAt: number;
}

const ID = /^[a-z0-9]{26}$/;

function idList(ids: readonly string[]): string {
    if (!ids.every((id) => ID.test(id))) {
        throw new Error(`not Mattermost ids: ${ids.join(',')}`);
    }
    return ids.map((id) => `'${id}'`).join(',');
}

/** Every DM a bot of `botIds` posted at or after `since` (server time, ms). */
export function botDmsSince(db: Database, botIds: readonly string[], since: number): ReceivedAlert[] {
    const rows = queryDatabase(db, `SELECT p.createat, p.userid, c.name, coalesce(substring(p.message from '(?:/pl/|mentioned: )([a-z0-9]{26})'), '-')
        FROM posts p JOIN channels c ON c.id = p.channelid
        WHERE p.userid IN (${idList(botIds)}) AND c.type = 'D' AND p.deleteat = 0 AND p.createat >= ${Math.floor(since)}`);
    return rows.split('\n').filter(Boolean).map((line) => {
        const [createAt, botId, channelName, postId] = line.split('|');
        const recipientId = channelName.split('__').find((id) => id !== botId) ?? botId;
        return {postId, recipientId, createAt: Number(createAt)};
    });
}

/**
 * Waits until `want` DMs are there, or their number stopped growing for `quietMs`, or `maxMs` passed;
 * with `want` 0, waits `quietMs` for any that should not come.
 */
export async function awaitDms(read: () => ReceivedAlert[], want: number, o: {quietMs?: number; maxMs?: number} = {}): Promise<ReceivedAlert[]> {
    const quietMs = o.quietMs ?? 15_000;
    const deadline = Date.now() + (o.maxMs ?? 120_000);
    let seen = read();
    let lastGrowth = Date.now();
    while (Date.now() < deadline) {
        if (want > 0 && seen.length >= want) {
            // A moment more, so that duplicates would be counted too.
            await sleep(1000);
            return read();
        }
        if (Date.now() - lastGrowth >= quietMs) {
            return seen;
        }
        await sleep(250);
        const now = read();
        if (now.length > seen.length) {
            lastGrowth = Date.now();
        }
        seen = now;
    }
    return seen;
}

export interface AlertTally {
    expected: number;
    delivered: number;
    missing: number;
    /** A second DM about the same post to the same person. */
    duplicates: number;
    /** DMs to someone the words did not name, or about a post of another phase. */
    unexpected: number;
    /** DM create_at − post create_at, per delivered alert (server timestamps). */
    delaysMs: number[];
}

/** Compares the DMs with who the words say should get one for each post. */
export function tallyAlerts(sent: readonly SentPost[], planned: readonly PlannedPost[], listenerIds: readonly string[], dms: readonly ReceivedAlert[]): AlertTally {
    const expected = new Map<string, number>(); // "<post>:<user>" -> the post's create_at
    for (const s of sent) {
        for (const u of planned[s.index].expected) {
            expected.set(`${s.id}:${listenerIds[u]}`, s.createAt);
        }
    }
    const seen = new Set<string>();
    const t: AlertTally = {expected: expected.size, delivered: 0, missing: 0, duplicates: 0, unexpected: 0, delaysMs: []};
    for (const dm of [...dms].sort((a, b) => a.createAt - b.createAt)) {
        const key = `${dm.postId}:${dm.recipientId}`;
        const postCreateAt = expected.get(key);
        if (postCreateAt === undefined) {
            t.unexpected++;
        } else if (seen.has(key)) {
            t.duplicates++;
        } else {
            seen.add(key);
            t.delivered++;
            t.delaysMs.push(dm.createAt - postCreateAt);
        }
    }
    t.missing = t.expected - t.delivered;
    return t;
}
