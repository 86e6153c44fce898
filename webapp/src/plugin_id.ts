// The plugin id, from the manifest, so it is written down once.
import {id} from '../../plugin.json';

export const PLUGIN_ID: string = id;
