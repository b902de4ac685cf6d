#!/usr/bin/env node
// The one entry behind every command name in package.json "bin"; see src/cli.ts.
require('../dist/cli.js').main(process.argv);
