// SPDX-License-Identifier: MIT
// server.js - the token server of the community tutorials: Express and Agora's npm agora-token,
// with token.fcgi's route, answer and headers. node server.js PORT [WORKERS]: WORKERS > 1 forks
// that many processes with the cluster module (they share the port).
'use strict';
const cluster = require('cluster');
const port = Number(process.argv[2] || 8080);
const workers = Number(process.argv[3] || 1);

if (workers > 1 && cluster.isPrimary) {
	for (let i = 0; i < workers; i++)
		cluster.fork();
	cluster.on('exit', () => process.exit(1));
	process.on('SIGTERM', () => { for (const id in cluster.workers) cluster.workers[id].kill(); process.exit(0); });
} else {
	const express = require('express');
	const { RtcTokenBuilder, RtcRole } = require('agora-token');
	const APP_ID = '970CA35de60c44645bbae8a215061b33';
	const APP_CERTIFICATE = '5CFd2fd1755d40ecb72977518be15d3b';
	const app = express();

	app.disable('x-powered-by');
	app.disable('etag');
	app.use((req, res, next) => {
		res.set({
			'Cache-Control': 'no-store', 'Pragma': 'no-cache', 'Expires': '0',
			'X-Content-Type-Options': 'nosniff', 'Access-Control-Allow-Origin': '*',
		});
		next();
	});
	app.get('/rtc/:channel/:role/:tokentype/:uid', (req, res) => {
		const { channel, role, tokentype } = req.params;
		const uid = Number(req.params.uid);
		const expire = Number(req.query.expiry || 3600);
		const now = Math.floor(Date.now() / 1000);
		if (tokentype !== 'uid' || !Number.isInteger(uid) || uid < 0 || uid > 4294967295)
			return res.status(400).json({ error: 'invalid uid' });
		const r = role === 'publisher' ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER;
		const token = RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERTIFICATE, channel, uid, r, expire, expire);
		res.json({ rtcToken: token, channel, uid, role, issuedAt: now, expiresIn: expire, expiresAt: now + expire });
	});
	app.listen(port, '127.0.0.1');
}
