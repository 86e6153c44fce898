// Entry point: Mattermost's webapp loads this bundle and calls initialize(registry, store).
import {PLUGIN_ID} from './plugin_id';
import {TriggerWordsPlugin} from './plugin';

window.registerPlugin(PLUGIN_ID, new TriggerWordsPlugin());
