// Root file of tsconfig.app.json: apps type-check against the globals every target engine provides,
// which device/ declares once.
/// <reference path="../../device/engine-globals.d.ts" />
