// The generic layer: hashicorp/go-plugin's netrpc protocol (handshake, yamux, mux broker, net/rpc over
// encoding/gob). Nothing here knows Mattermost; the root export builds Mattermost's plugin contract on it.
export * from './gob/index.js';
export * from './yamux/index.js';
export {serve, HandshakeError, notAPluginMessage, type DispenseHandler, type HandshakeConfig, type ServeOptions} from './goplugin.js';
export {BrokerError, MuxBroker} from './muxbroker.js';
export {RpcClient, RpcConnectionError, RpcServer, RpcServerError, emptyStruct, unknownMethodMessage, type RpcMethod, type RpcMethodTable, type RpcReply, type RpcServerOptions} from './netrpc.js';
