// GET /plugins/trigger-alerts/debug/api-calls: how many plugin API calls this server's plugin process has
// made since it started, by method, for system admins only. Benchmarks and tests read it before and after a
// run to count calls per post and per alert on a real server (every call is a round trip to the server).
import type {Request, Response} from 'express';

import type {ApiCallCounts} from 'mattermost-plugin-node';

import type {AlertsHost} from './host.js';

const mattermostId = /^[a-z0-9]{26}$/;

export interface ApiCallsReport {
    /** The plugin process (each server of a cluster runs its own, with its own counts). */
    pid: number;
    total: number;
    by_method: Record<string, number>;
}

export function apiCallsRoute(host: Pick<AlertsHost, 'getUser'>, counts: () => ApiCallCounts): (req: Request, res: Response) => void {
    // The caller check is a GetUser of this route's own: counted when it starts, and left out of every report,
    // so that reading the figures does not change them.
    let ownChecks = 0;
    return (req, res) => {
        const snapshot = counts();
        const byMethod = {...snapshot.byMethod};
        if (ownChecks > 0) {
            byMethod.GetUser = (byMethod.GetUser ?? 0) - ownChecks;
            if (byMethod.GetUser === 0) {
                delete byMethod.GetUser;
            }
        }
        const report: ApiCallsReport = {pid: process.pid, total: snapshot.total - ownChecks, by_method: byMethod};
        const userId = req.get('Mattermost-User-Id');
        if (!userId || !mattermostId.test(userId)) {
            res.status(401).json({error: 'not logged in'});
            return;
        }
        ownChecks++;
        host.getUser(userId).then(
            (user) => {
                if (!user.roles.split(' ').includes('system_admin')) {
                    res.status(403).json({error: 'system admins only'});
                    return;
                }
                res.json(report);
            },
            () => res.status(503).json({error: 'could not check the caller'}),
        );
    };
}
