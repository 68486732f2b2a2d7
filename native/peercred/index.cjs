'use strict';
// The compiled addon (node-gyp rebuild runs at install). Nothing else is loaded.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS entry of a compiled addon
module.exports = require('./build/Release/peercred.node');
