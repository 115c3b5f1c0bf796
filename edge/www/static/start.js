/* start.js: starts the console once every view's file has registered its view (loaded last). */
'use strict';
window.mmConsole.start();
