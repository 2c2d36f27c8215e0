// SPDX-License-Identifier: MIT
// encoder.js - single-thread RTC tokens/s of Agora's npm agora-token, with bench/encoder.c's inputs
// (32-byte channel, uid 2882341273, publisher, 3600 s). Prints tokens/s, the median of 5 rounds.
'use strict';
const { RtcTokenBuilder, RtcRole } = require('agora-token');
const n = Number(process.argv[2] || 50000);
const id = '970CA35de60c44645bbae8a215061b33', cert = '5CFd2fd1755d40ecb72977518be15d3b';
const ch = '7d72365eb983485397e3e3f9d460bdda';
let sink = 0;
const rounds = [];
for (let i = 0; i < n / 10; i++)   // warm-up: let V8 optimise the builder
	sink += RtcTokenBuilder.buildTokenWithUid(id, cert, ch, 2882341273, RtcRole.PUBLISHER, 3600, 3600).length;
for (let r = 0; r < 5; r++) {
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < n; i++)
		sink += RtcTokenBuilder.buildTokenWithUid(id, cert, ch, 2882341273, RtcRole.PUBLISHER, 3600, 3600).length;
	rounds.push(Number(process.hrtime.bigint() - t0) / n);
}
rounds.sort((a, b) => a - b);
const ns = rounds[2];
console.log(`npm agora-token ${require('agora-token/package.json').version}: ${(ns / 1000).toFixed(2)} us, ${Math.round(1e9 / ns)} tokens/s (median of 5 x ${n}; node ${process.version})${sink ? '' : ' '}`);
