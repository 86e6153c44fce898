// The package's generated method and hook tables. The package does not export them (they describe its
// wire, not its author API), so the round trip reads them from the package's sources.
export {apiMethods} from '../../../../packages/mattermost-plugin-node/src/mattermost/generated/api_table.js';
export {hookMethods} from '../../../../packages/mattermost-plugin-node/src/mattermost/generated/hooks_table.js';
export type {MethodRow, TypeExpr} from '../../../../packages/mattermost-plugin-node/src/mattermost/model_table.js';
export {models} from '../../../../packages/mattermost-plugin-node/src/mattermost/generated/models.js';
