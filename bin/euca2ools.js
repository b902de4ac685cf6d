#!/usr/bin/env node
// The one entry behind every command name in package.json "bin"; see src/cli.ts.
// v8-compile-cache keeps V8's compiled form of the bundle between runs (a third of start-up).
require('v8-compile-cache');
require('../dist/cli.js').main(process.argv);
