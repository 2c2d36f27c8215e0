/* SPDX-License-Identifier: MIT */
/* fake-agora-sdk.js - a stand-in for Agora's Web SDK, served as AgoraRTC_N.js by tests/demo.t to
 * drive what no test machine reaches: a join that succeeds, a remote user who publishes, and the
 * SDK's token-privilege-will-expire event, three times, a second after the join and after each
 * renewToken. Every call lands in window.__fake for the test to read. */
(function () {
	const fake = window.__fake = { joins: [], renewals: [], published: [], left: 0 };

	function track(kind) {
		return {
			kind,
			play(el) {
				const box = typeof el === 'string' ? document.getElementById(el) : el;
				const v = document.createElement('div');
				v.className = 'fake-' + kind;
				v.textContent = 'fake ' + kind;
				box.append(v);
			},
			close() { fake.closed = (fake.closed || 0) + 1; },
		};
	}

	function createClient(config) {
		const handlers = {};
		const emit = (ev, ...args) => (handlers[ev] || []).forEach((f) => f(...args));
		let warnings = 0;
		const warnSoon = () => {
			if (warnings++ < 3)
				setTimeout(() => emit('token-privilege-will-expire'), 1000);
		};
		const client = {
			connectionState: 'DISCONNECTED',
			config,
			on(ev, f) { (handlers[ev] = handlers[ev] || []).push(f); },
			async join(appId, channel, token, uid) {
				fake.joins.push([appId, channel, token, uid]);
				emit('connection-state-change', 'CONNECTING', 'DISCONNECTED');
				await new Promise((r) => setTimeout(r, 50));
				client.connectionState = 'CONNECTED';
				emit('connection-state-change', 'CONNECTED', 'CONNECTING');
				setTimeout(() => emit('user-published', { uid: 7, videoTrack: track('video') }, 'video'), 100);
				warnSoon();
				return uid === null ? 1234 : uid;
			},
			async renewToken(token) {
				fake.renewals.push(token);
				warnSoon();
			},
			async publish(tracks) { fake.published.push(tracks.map((t) => t.kind)); },
			async subscribe() {},
			async leave() {
				fake.left++;
				client.connectionState = 'DISCONNECTED';
			},
		};
		return client;
	}

	window.AgoraRTC = {
		VERSION: 'fake',
		setLogLevel() {},
		disableLogUpload() {},
		createClient,
		async createMicrophoneAndCameraTracks() { return [track('audio'), track('video')]; },
	};
})();
