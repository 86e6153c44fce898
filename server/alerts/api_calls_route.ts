// GET /plugins/trigger-alerts/debug/api-calls: how many plugin API calls this server's plugin process has
// made since it started, by method, for system admins only. Benchmarks and tests read it before and after a
// run to count calls per post and per alert on a real server (every call is a round trip to the server).
// GET .../debug/alert-timings: where this process's alerts spent their time (alert_timings.ts), same gate.
import type {Request, Response} from 'express';

import type {ApiCallCounts} from 'mattermost-plugin-node';

import type {AlertTimingsReport} from './alert_timings.js';
import type {AlertsHost} from './host.js';

const mattermostId = /^[a-z0-9]{26}$/;

export interface ApiCallsReport {
    /** The plugin process (each server of a cluster runs its own, with its own counts). */
    pid: number;
    total: number;
    by_method: Record<string, number>;
}

/**
 * The system-admin check of the debug routes. It is a GetUser of their own, counted when it starts and left
 * out of every API-call report, so that reading any of the figures does not change them.
 */
export class DebugGate {
    /** GetUser calls made by the check so far. */
    checks = 0;

    constructor(private readonly host: Pick<AlertsHost, 'getUser'>) {}

    /** Answers `answer()` to system admins; 401/403/503 to anyone else. */
    serve(req: Request, res: Response, answer: () => unknown): void {
        const userId = req.get('Mattermost-User-Id');
        if (!userId || !mattermostId.test(userId)) {
            res.status(401).json({error: 'not logged in'});
            return;
        }
        this.checks++;
        this.host.getUser(userId).then(
            (user) => {
                if (!user.roles.split(' ').includes('system_admin')) {
                    res.status(403).json({error: 'system admins only'});
                    return;
                }
                res.json(answer());
            },
            () => res.status(503).json({error: 'could not check the caller'}),
        );
    }
}

export function apiCallsRoute(gate: DebugGate, counts: () => ApiCallCounts): (req: Request, res: Response) => void {
    return (req, res) => {
        // Taken before this request's own check is counted.
        const snapshot = counts();
        const own = gate.checks;
        const byMethod = {...snapshot.byMethod};
        if (own > 0) {
            byMethod.GetUser = (byMethod.GetUser ?? 0) - own;
            if (byMethod.GetUser === 0) {
                delete byMethod.GetUser;
            }
        }
        const report: ApiCallsReport = {pid: process.pid, total: snapshot.total - own, by_method: byMethod};
        gate.serve(req, res, () => report);
    };
}

export function alertTimingsRoute(gate: DebugGate, report: () => AlertTimingsReport): (req: Request, res: Response) => void {
    return (req, res) => gate.serve(req, res, report);
}
