import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {distBundle, prepareBundle} from './harness/bundle.js';
import {RealMattermost, uploadPlugin, waitPluginRunning} from './harness/world.js';

describe('smoke', () => {
    let world: RealMattermost;
    beforeAll(async () => {
        world = await RealMattermost.start({name: 'smoke'});
    });
    afterAll(async () => world?.stop());

    it('installs and runs', async () => {
        const b = prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0'});
        const id = await uploadPlugin(world.admin.client, b.file);
        await world.admin.client.enablePlugin(id);
        await waitPluginRunning(world.admin.client, id);
        const bot = await world.admin.client.getUserByUsername('trigger-alerts');
        expect(bot.is_bot).toBe(true);
    });
});
