// The package's generated method, hook and model tables, as the package exports them: the round trip is
// driven by the same rows the package calls and converts by.
export {apiMethods, hookMethods, modelTable as models} from 'mattermost-plugin-node';
export type {MethodRow, TypeExpr} from 'mattermost-plugin-node';
