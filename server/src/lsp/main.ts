import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

// createConnection reads the transport from the command line: --stdio, --node-ipc or --socket.
startServer(createConnection(ProposedFeatures.all));
