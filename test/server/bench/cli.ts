// `npm run bench:server`: the command line around runBench(). Ctrl-C, SIGTERM and the time limit all
// stop the bench the same way: the server it started is terminated at once (found by its scratch folder,
// even while it is still starting), every request in flight fails, and runBench's cleanup stops the rest
// (plugin processes, the database, the scratch folder) before the command exits.
import os from 'node:os';
import path from 'node:path';

import {processesWithExePrefix, stopProcesses} from '../harness/processes_by_path.js';

import {runBench} from './bench.js';
import {BenchUsageError, parseBenchOptions, usage, type BenchOptions} from './options.js';

export interface BenchCliIO {
    argv: string[];
    stdout: (line: string) => void;
    stderr: (line: string) => void;
}

export async function main(io: BenchCliIO): Promise<number> {
    let o: BenchOptions;
    try {
        o = parseBenchOptions(io.argv);
    } catch (e) {
        io.stderr(`bench:server: ${e instanceof BenchUsageError ? e.message : String(e)}`);
        return 2;
    }
    if (o.help) {
        io.stdout(usage);
        return 0;
    }
    // The pid makes the world's name, and so its scratch prefix, this run's alone.
    const worldName = `bench${process.pid}`;
    const controller = new AbortController();
    let why = '';
    const stop = (reason: string) => {
        if (controller.signal.aborted) {
            return;
        }
        why = reason;
        io.stderr(`\nbench:server: ${reason}: stopping the server and cleaning up`);
        controller.abort(new Error(reason));
        void stopProcesses(processesWithExePrefix(path.join(os.tmpdir(), `mm-${worldName}-`)).map((p) => p.pid), 10_000);
    };
    const onSigint = () => stop('interrupted (SIGINT)');
    const onSigterm = () => stop('terminated (SIGTERM)');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    const limit = setTimeout(() => stop(`time limit of ${o.maxMinutes} minutes reached`), o.maxMinutes * 60_000);
    try {
        const json = await runBench(o, {out: io.stdout, signal: controller.signal, worldName});
        io.stdout(JSON.stringify(json));
        return 0;
    } catch (e) {
        if (controller.signal.aborted) {
            io.stderr(`bench:server: stopped (${why}); everything it started is stopped`);
            return why.startsWith('time limit') ? 1 : 130;
        }
        io.stderr(`bench:server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return 1;
    } finally {
        clearTimeout(limit);
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigterm);
    }
}
