// The plugin's Unix socket name is random but not secret (no node:crypto before the handshake line): a
// name that is taken, by anything, is skipped as Go's os.CreateTemp does, and what was there is left alone.
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';

import {afterEach, describe, expect, it, vi} from 'vitest';

import {serve} from '../../src/transport/goplugin.js';

const handshake = {magicCookieKey: 'TEST_PLUGIN', magicCookieValue: 'yes', protocolVersion: 1};

/** The name socketName() makes for a given Math.random() value. */
const nameFor = (r: number): string => `plugin${process.pid}_${Math.floor(r * 0x100000000)}`;

const cleanups: (() => void)[] = [];
afterEach(() => {
    vi.restoreAllMocks();
    for (const c of cleanups.splice(0)) {
        c();
    }
});

function tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'goplugin-socket-'));
    cleanups.push(() => rmSync(dir, {recursive: true, force: true}));
    return dir;
}

/** Starts serve() in dir; resolves with the handshake line's address and a promise of the exit. */
async function start(dir: string): Promise<{address: string; exited: Promise<number>}> {
    const stdout = new PassThrough();
    let line = '';
    stdout.on('data', (d: Buffer) => (line += d.toString()));
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    await serve({
        handshake,
        plugins: {},
        env: {TEST_PLUGIN: 'yes', PLUGIN_UNIX_SOCKET_DIR: dir},
        stdout,
        stderr: new PassThrough(),
        onExit: exit,
    });
    const fields = line.trim().split('|');
    expect(fields.slice(0, 3)).toEqual(['1', '1', 'unix']);
    return {address: fields[3]!, exited};
}

describe.skipIf(process.platform === 'win32')('go-plugin socket name', () => {
    it('skips a name that is taken, leaves what is there alone, and removes only its own socket', async () => {
        const dir = tempDir();
        const taken = path.join(dir, nameFor(0.5));
        writeFileSync(taken, 'not yours');
        const random = vi.spyOn(Math, 'random').mockReturnValueOnce(0.5).mockReturnValueOnce(0.25);

        const {address, exited} = await start(dir);
        expect(random).toHaveBeenCalledTimes(2);
        expect(address).toBe(path.join(dir, nameFor(0.25)));
        expect(statSync(address).isSocket()).toBe(true);
        expect(readFileSync(taken, 'utf8')).toBe('not yours');

        // The host hangs up: the plugin exits and its socket goes; the file that was there stays.
        const socket = net.connect(address);
        await new Promise<void>((resolve) => socket.once('connect', resolve));
        socket.destroy();
        await expect(exited).resolves.toBe(0);
        await vi.waitFor(() => expect(existsSync(address)).toBe(false), {timeout: 10_000, interval: 20});
        expect(readFileSync(taken, 'utf8')).toBe('not yours');
    });

    it('gives up with EADDRINUSE when every name it draws is taken', async () => {
        const dir = tempDir();
        writeFileSync(path.join(dir, nameFor(0.5)), 'not yours');
        const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
        await expect(start(dir)).rejects.toMatchObject({code: 'EADDRINUSE'});
        expect(random.mock.calls.length).toBe(100);
        expect(readFileSync(path.join(dir, nameFor(0.5)), 'utf8')).toBe('not yours');
    });

    it('draws a fresh name for each plugin process start', async () => {
        const dir = tempDir();
        const a = await start(dir);
        const b = await start(dir);
        expect(a.address).not.toBe(b.address);
        expect(path.basename(a.address)).toMatch(new RegExp(`^plugin${process.pid}_\\d+$`));
        for (const s of [a, b]) {
            const socket = net.connect(s.address);
            await new Promise<void>((resolve) => socket.once('connect', resolve));
            socket.destroy();
            await s.exited;
        }
    });
});
