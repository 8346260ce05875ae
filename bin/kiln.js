#!/usr/bin/env node
// The installed `kiln` command: runs the compiled CLI (npm run build produces dist/).
require('../dist/cli/main.js');
