/* SPDX-License-Identifier: MIT */
/* demo.js - the demo page: asks this token server for a token, shows it decoded, keeps it renewed,
 * and joins a call with Agora's Web SDK. Plain JavaScript, no build step. */
'use strict';

(function () {
	const LOCAL_SDK = 'AgoraRTC_N.js';      // a copy beside the page wins over the CDN
	/* The CDN's copy: npm's agora-rtc-sdk-ng at a pinned version, byte for byte, checked by the
	 * browser against its SHA-384 (Subresource Integrity) before it runs. To move the pin:
	 *   npm pack agora-rtc-sdk-ng@X.Y.Z && tar -xzf agora-rtc-sdk-ng-X.Y.Z.tgz
	 *   openssl dgst -sha384 -binary package/AgoraRTC_N-production.js | openssl base64 -A
	 * and put the version here and the hash, after "sha384-", below (tests/demo.t checks both). */
	const CDN_SDK = 'https://cdn.jsdelivr.net/npm/agora-rtc-sdk-ng@4.24.8/AgoraRTC_N-production.js';
	const CDN_SDK_INTEGRITY = 'sha384-LLetIWljRRsVdAiDUW5qNfAuV8n0YvSPGr6vd4Fy/COvGIGaW1RJtURRgB76/YVU';
	const SDK_LOAD_MS = 15000;
	const JOIN_RETRY = { timeout: 500, timeoutFactor: 1.5, maxRetryCount: 7, maxRetryTimeout: 4000 };
	const JOIN_WAIT_MS = 30000;             // join has not settled by then: say so, and give up
	const SDK_LOG_LEVEL = Number(new URLSearchParams(location.search).get('sdklog') || 1);   // 0 debug .. 4 none
	const DEMO_APP_ID = '970CA35de60c44645bbae8a215061b33';

	const $ = (id) => document.getElementById(id);
	const state = {
		base: null,         // URL of the token server's script
		confirmed: null,    // an origin the user agreed to send a key to (see trusted)
		config: null,       // its GET /config answer
		answer: null,       // the last token answer
		asked: null,        // the parameters it was asked with
		expiresAt: 0,       // local clock, ms: when the token's first privilege ends
		lifetime: 0,        // its lifetime, s
		renewTimer: 0,
		renewals: 0,
		client: null,       // the Agora client once joined
		tracks: [],
		joining: false,
	};

	/* ---- the log and the error boxes ---- */

	function log(text, kind) {
		const li = document.createElement('li');
		const t = document.createElement('time');
		const now = new Date();
		t.dateTime = now.toISOString();
		t.textContent = now.toLocaleTimeString();
		li.append(t, ' ', text);
		if (kind)
			li.className = kind;
		$('log').append(li);
		li.scrollIntoView({ block: 'nearest' });
		return li;
	}

	function showError(box, parts) {
		const el = $(box);
		el.replaceChildren();
		for (const p of parts) {
			if (p && p.code) {
				const c = document.createElement('code');
				c.textContent = p.code;
				el.append(c);
			} else {
				el.append(p);
			}
		}
		el.hidden = false;
	}

	function clearError(box) {
		$(box).hidden = true;
		$(box).replaceChildren();
	}

	/* ---- the token server ---- */

	class ServerError extends Error {
		constructor(status, code, sentence) {
			super(sentence);
			this.status = status;
			this.code = code;
		}
	}

	/* A key or sign-in token goes only to a server of this page's origin, to the one the deployer
	 * named in <meta name="token-server">, or to an origin the user confirmed in the page: a link
	 * to this page with ?server=https://elsewhere must not collect the keys typed here. */
	function deployerServer() {
		const meta = document.querySelector('meta[name=token-server]');
		return new URL((meta && meta.content) || 'token', location.href);
	}

	function trusted(url) {
		return url.origin === location.origin || url.origin === deployerServer().origin ||
			url.origin === state.confirmed;
	}

	/* the banner that asks before a key goes to another origin */
	function showTrust() {
		const foreign = state.base && !trusted(state.base);
		$('server-trust').hidden = !foreign;
		if (foreign) {
			$('server-trust-origin').textContent = state.base.origin;
			$('server-trust-yes-origin').textContent = state.base.origin;
		}
	}

	function serverUrl(path, params) {
		let u = state.base.href.replace(/\/+$/, '') + path;
		if (params)
			u += '?' + new URLSearchParams(params).toString();
		return u;
	}

	/* The server's JSON, or a ServerError with its code and sentence. A browser hides the answer
	 * of a cross-origin server that did not allow this page's origin; a no-cors probe tells that
	 * apart from a server that cannot be reached. */
	async function getJSON(path, params) {
		const headers = {};
		const key = $('apikey').value;
		if (key && trusted(state.base))
			headers.Authorization = 'Bearer ' + key;
		let r;
		try {
			r = await fetch(serverUrl(path, params), { headers, cache: 'no-store' });
		} catch (e) {
			throw await unreachable();
		}
		let body = null;
		try {
			body = await r.json();
		} catch (e) {
			throw new ServerError(r.status, 'not_json', 'the answer is not JSON: is ' + state.base.href + ' the token server?');
		}
		if (!r.ok)
			throw new ServerError(r.status, body.code || 'http_' + r.status, body.error || r.statusText);
		return body;
	}

	async function unreachable() {
		if (state.base.origin !== location.origin) {
			try {
				await fetch(serverUrl('/ping'), { mode: 'no-cors', cache: 'no-store' });
				return new ServerError(403, 'origin_not_allowed', 'the server at ' + state.base.origin +
					' answered, but not to this page\'s origin ' + location.origin +
					': the browser withheld the answer. Add ' + location.origin + ' to [cors] allow_origin in its ini.');
			} catch (e) { /* not even opaque: no server there */ }
		}
		return new ServerError(0, 'unreachable', 'cannot reach the token server at ' + state.base.href);
	}

	function serverErrorParts(e, what) {
		if (e instanceof ServerError)
			return [what + ': ', { code: e.code }, (e.status ? ' (HTTP ' + e.status + ')' : '') + ': ' + e.message];
		return [what + ': ' + e];
	}

	async function loadConfig() {
		const status = $('server-status');
		clearError('error');
		try {
			state.base = new URL($('server').value || 'token', location.href);
			if (!/^https?:$/.test(state.base.protocol))
				throw new Error('not http');
		} catch (e) {
			status.textContent = 'The token server URL must be an http:// or https:// URL.';
			state.config = null;
			updateButtons();
			return;
		}
		showTrust();
		status.textContent = 'Asking ' + state.base.href + ' for its app id…';
		try {
			state.config = await getJSON('/config');
		} catch (e) {
			state.config = null;
			status.textContent = 'No answer from the token server at ' + state.base.href + '.';
			showError('error', serverErrorParts(e, 'The token server refused /config'));
			log('GET /config failed: ' + (e.code || '') + ' ' + e.message, 'bad');
			updateButtons();
			return;
		}
		const c = state.config;
		status.replaceChildren('Token server ', link(state.base.href), ': app id ',
			Object.assign(document.createElement('code'), { id: 'app-id', textContent: c.appId }),
			', issues ' + c.services.join(', ') + ', lifetimes ' + c.minExpire + '–' + c.maxExpire + ' s.');
		if (c.appId.toLowerCase() === DEMO_APP_ID.toLowerCase())
			status.append(' These are the public demo credentials of Agora\'s test vectors: the tokens are real, but join no real channel. Put your own app id and certificate in etc/token.ini.');
		const modes = c.auth || [];
		$('key-field').hidden = (!modes.includes('key') && !modes.includes('jwt')) || !trusted(state.base);
		if (modes.length === 1 && modes[0] === 'signed')
			showError('error', ['This server only answers links signed by your site ([auth] mode = signed): this page cannot sign them.']);
		if (!c.allowPublisher)
			$('role').value = 'subscriber';
		$('role').querySelector('[value=publisher]').disabled = !c.allowPublisher;
		$('lifetime').min = c.minExpire;
		$('lifetime').max = c.maxExpire;
		if (!$('lifetime').dataset.touched)
			$('lifetime').value = c.defaultExpire;
		if (c.channelPrefix && !$('channel').value.startsWith(c.channelPrefix))
			$('channel').value = c.channelPrefix + $('channel').value;
		log('Token server ' + state.base.href + ': app id ' + c.appId);
		updateButtons();
		snippets();
	}

	function link(href) {
		const a = document.createElement('a');
		a.href = href;
		a.textContent = href;
		return a;
	}

	/* ---- asking for a token ---- */

	function request() {
		const kind = document.querySelector('input[name=kind]:checked').value;
		const p = { type: 'rtc', channel: $('channel').value, role: $('role').value };
		p[kind] = $('who').value.trim();
		const life = $('lifetime').value.trim();
		if (life)
			p.expire = life;
		if (state.config && state.config.app)
			p.app = state.config.app;
		return p;
	}

	/* params: what to ask for; a renewal asks again for what the token in use was made for */
	async function fetchToken(params) {
		const sent = Date.now();
		const a = await getJSON('', params);
		const life = a.expiresIn;
		state.answer = a;
		state.asked = params;
		state.lifetime = life;
		/* the local clock from when we asked: the server's clock may differ from this device's */
		state.expiresAt = sent + life * 1000;
		showToken(a);
		inspect(a.rtcToken);
		schedule();
		return a;
	}

	async function getToken() {
		clearError('error');
		try {
			const a = await fetchToken(request());
			log('New token for channel ' + a.channel + ', ' + who(a) + ', ' + a.role + ', ' + a.expiresIn + ' s.', 'good');
			return a;
		} catch (e) {
			showError('error', serverErrorParts(e, 'The token server refused'));
			log('Token refused: ' + (e.code || '') + ' ' + e.message, 'bad');
			return null;
		} finally {
			updateButtons();
			snippets();
		}
	}

	function who(a) {
		return a.account !== undefined ? 'account ' + a.account : 'uid ' + a.uid;
	}

	function showToken(a) {
		$('token-panel').hidden = false;
		$('token').value = a.rtcToken;
		$('token-len').textContent = a.rtcToken.length;
		const dl = $('answer');
		dl.replaceChildren();
		const facts = [['Channel', a.channel], a.account !== undefined ? ['Account', a.account] : ['Uid', a.uid],
			['Role', a.role], ['Lifetime', a.expiresIn + ' s'],
			['Issued', new Date(a.issuedAt * 1000).toLocaleString()],
			['Expires', new Date(a.expiresAt * 1000).toLocaleString()]];
		for (const [k, v] of facts) {
			const dt = document.createElement('dt');
			const dd = document.createElement('dd');
			dt.textContent = k;
			dd.textContent = v;
			dd.dataset.field = k.toLowerCase();
			dl.append(dt, dd);
		}
		$('expires-at').textContent = '(at ' + new Date(state.expiresAt).toLocaleTimeString() + ')';
		tick();
	}

	async function inspect(token) {
		const tbody = $('services').tBodies[0];
		const status = $('inspect-status');
		if (state.config && !state.config.inspect) {
			status.textContent = 'This server does not decode tokens ([token] inspect = no).';
			tbody.replaceChildren();
			return;
		}
		let d;
		try {
			d = await getJSON('/inspect', { token });
		} catch (e) {
			status.textContent = '/inspect refused: ' + (e.code || '') + ' ' + e.message;
			return;
		}
		if (token !== $('token').value)
			return;     // a newer token came meanwhile
		status.textContent = 'Version ' + d.version + ', app id ' + d.appId + ', signature ' +
			(d.signatureValid ? 'valid' : 'NOT valid') + ', issued ' + new Date(d.issueTs * 1000).toLocaleTimeString() +
			', token expires ' + new Date(d.expiresAt * 1000).toLocaleTimeString() + '.';
		tbody.replaceChildren();
		for (const s of d.services) {
			const tr = tbody.insertRow();
			tr.dataset.service = s.name;
			tr.insertCell().textContent = s.name;
			const id = [];
			if (s.channel !== undefined)
				id.push('channel ' + s.channel);
			if (s.uid !== undefined)
				id.push(s.uid === '' ? 'any uid' : 'uid/account ' + s.uid);
			if (s.userId !== undefined)
				id.push('user ' + s.userId);
			tr.insertCell().textContent = id.join(', ');
			const ul = document.createElement('ul');
			for (const p of s.privileges) {
				const li = document.createElement('li');
				li.dataset.privilege = p.name;
				li.textContent = p.name + ' (' + new Date(p.expiresAt * 1000).toLocaleTimeString() + ')';
				ul.append(li);
			}
			tr.insertCell().append(ul);
		}
	}

	/* ---- the countdown and the page's own renewal ---- */

	function left() {
		return (state.expiresAt - Date.now()) / 1000;
	}

	function tick() {
		if (!state.answer)
			return;
		const s = Math.max(0, Math.ceil(left()));
		$('countdown').textContent = s > 0 ? Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') : 'expired';
		$('countdown').dataset.seconds = s;
		$('life').value = state.lifetime > 0 ? Math.max(0, left()) / state.lifetime : 0;
	}

	/* Renew a quarter of the lifetime before the end (at most 30 s, the SDK's own warning time,
	 * at least 1 s). Joined, the SDK's token-privilege-will-expire event does it instead. */
	function schedule() {
		clearTimeout(state.renewTimer);
		state.renewTimer = 0;
		if (!state.answer || state.client)
			return;
		const lead = Math.min(30, Math.max(1, Math.round(state.lifetime / 4)));
		state.renewTimer = setTimeout(() => renew('page timer'), Math.max(0, (left() - lead) * 1000));
	}

	async function renew(why) {
		const before = left();
		try {
			const a = await fetchToken(state.asked);
			state.renewals++;
			let how = 'by the ' + why;
			if (state.client) {
				await state.client.renewToken(a.rtcToken);
				how += ', then renewToken';
			}
			log('Renewal ' + state.renewals + ' (' + how + ') with ' + before.toFixed(1) +
				' s left: the new token lasts ' + a.expiresIn + ' s.', 'renewal good');
		} catch (e) {
			log('Renewal failed (' + why + '): ' + (e.code || '') + ' ' + e.message, 'bad');
			/* the token still holds for a while: try again, until it has expired */
			if (left() > 0 && !state.client) {
				clearTimeout(state.renewTimer);
				state.renewTimer = setTimeout(() => renew(why), Math.min(5000, left() * 500));
			}
			if (e instanceof ServerError)
				showError('error', serverErrorParts(e, 'The token server refused the renewal'));
			else
				showError('call-error', ['renewToken failed: ', { code: e.code || e.name }, ': ' + e.message]);
		}
	}

	/* ---- the Web SDK ---- */

	function addScript(src, integrity) {
		return new Promise((resolve, reject) => {
			const s = document.createElement('script');
			const timer = setTimeout(() => reject(new Error('no answer in ' + SDK_LOAD_MS / 1000 + ' s')), SDK_LOAD_MS);
			if (integrity) {
				s.integrity = integrity;
				s.crossOrigin = 'anonymous';
			}
			s.src = src;
			s.onload = () => { clearTimeout(timer); resolve(); };
			s.onerror = () => { clearTimeout(timer); s.remove(); reject(new Error('could not be loaded')); };
			document.head.append(s);
		});
	}

	async function loadSdk() {
		if (window.AgoraRTC)
			return window.AgoraRTC;
		const tried = [];
		let local = false;
		try {
			const r = await fetch(LOCAL_SDK, { method: 'HEAD', cache: 'no-store' });
			local = r.ok && !/json|html/.test(r.headers.get('Content-Type') || '');
		} catch (e) { /* no local copy */ }
		if (!local)
			tried.push(LOCAL_SDK + ': not beside the page');
		for (const src of local ? [LOCAL_SDK, CDN_SDK] : [CDN_SDK]) {
			try {
				await addScript(src, src === CDN_SDK ? CDN_SDK_INTEGRITY : '');
				if (window.AgoraRTC) {
					log('Agora Web SDK ' + window.AgoraRTC.VERSION + ' loaded from ' + src);
					return window.AgoraRTC;
				}
				tried.push(src + ': loaded, but defines no AgoraRTC');
			} catch (e) {
				tried.push(src + ': ' + e.message);
			}
		}
		const err = new Error(tried.join('; '));
		err.name = 'SdkUnavailable';
		throw err;
	}

	/* What the SDK's error codes mean, for the ones a demo meets. */
	function meaning(e) {
		const desc = JSON.stringify((e && e.data) || '') + ' ' + ((e && e.message) || '');
		switch (e && e.code) {
		case 'CAN_NOT_GET_GATEWAY_SERVER':
			if (/invalid vendor key|can not find appid|no active status/i.test(desc))
				return 'Agora does not know this app id (or the project is disabled): the demo credentials join nothing; use your own in etc/token.ini.';
			if (/dynamic key expired|token expired/i.test(desc))
				return 'the token has expired: get a new one.';
			if (/invalid token|authorized failed|dynamic key/i.test(desc))
				return 'Agora refused the token: it is not for this app id, channel or uid, or the certificate is not the project\'s primary one.';
			return 'the SDK could not reach Agora\'s gateway: no network route to Agora, or a firewall blocks it.';
		case 'NETWORK_ERROR': case 'NETWORK_TIMEOUT': case 'NETWORK_RESPONSE_ERROR': case 'WS_ERR': case 'WS_ABORT': case 'WS_DISCONNECT':
			return 'the network failed between this browser and Agora (offline, DNS, or a firewall).';
		case 'INVALID_PARAMS':
			return 'the SDK refused the join\'s parameters (app id, channel name or uid).';
		case 'UID_CONFLICT':
			return 'another client already uses this uid in the channel.';
		case 'TOKEN_EXPIRE':
			return 'the token has expired.';
		case 'OPERATION_ABORTED':
			return 'the join was cancelled (Leave, or the page gave up waiting).';
		case 'WEB_SECURITY_RESTRICT':
			return 'the browser allows the camera and microphone only on https:// or http://localhost pages.';
		case 'PERMISSION_DENIED':
			return 'the camera or microphone was not allowed.';
		case 'DEVICE_NOT_FOUND': case 'NOT_READABLE':
			return 'no camera or microphone can be used.';
		case 'NOT_SUPPORTED':
			return 'this browser does not support what the SDK needs.';
		case 'INVALID_OPERATION':
			return 'the client is already joining or joined.';
		default:
			return 'see the Agora Web SDK\'s error codes.';
		}
	}

	function sdkErrorParts(what, e) {
		return [what + ': ', { code: (e && e.code) || (e && e.name) || 'ERROR' }, ': ' + meaning(e) +
			(e && e.message ? ' (' + e.message + ')' : '')];
	}

	function joinUid() {
		const a = state.answer;
		if (a.account !== undefined)
			return a.account;
		return a.uid === 0 ? null : a.uid;   // null: Agora picks one, as the token allows any
	}

	async function join() {
		clearError('call-error');
		state.joining = true;
		updateButtons();
		try {
			/* the form's token: a new one if the form changed or this one is about to end */
			if (!state.answer || left() < 5 || JSON.stringify(state.asked) !== JSON.stringify(request()))
				if (!await getToken())
					return;
			let AgoraRTC;
			try {
				$('call-status').textContent = 'Loading Agora\'s Web SDK…';
				AgoraRTC = await loadSdk();
			} catch (e) {
				$('call-status').textContent = 'Not joined: the Web SDK is not available. The token part still works.';
				showError('call-error', ['Agora\'s Web SDK cannot load (offline, or blocked): ', { code: 'SDK_UNAVAILABLE' },
					'. The token part still works and keeps renewing. To join without the CDN, put AgoraRTC_N.js beside this page. (' + e.message + ')']);
				log('Web SDK unavailable: ' + e.message, 'bad');
				return;
			}
			AgoraRTC.disableLogUpload && AgoraRTC.disableLogUpload();
			AgoraRTC.setLogLevel(SDK_LOG_LEVEL);
			/* The SDK retries a join that meets network errors forever; a bounded number of tries
			 * (7 tries over about 12 s) makes it give up with its own error code instead. */
			const client = AgoraRTC.createClient({ mode: 'rtc', codec: 'vp8', httpRetryConfig: JOIN_RETRY });
			listen(client);
			const a = state.answer;
			$('call-status').textContent = 'Joining channel ' + a.channel + '…';
			log('join(' + state.config.appId + ', ' + a.channel + ', token, ' + joinUid() + ')');
			let timer;
			const gaveUp = new Promise((resolve, reject) => {
				timer = setTimeout(() => reject(Object.assign(new Error('no answer from Agora in ' + JOIN_WAIT_MS / 1000 +
					' s (connection ' + client.connectionState + ')'), { code: 'JOIN_TIMEOUT' })), JOIN_WAIT_MS);
			});
			let uid;
			try {
				uid = await Promise.race([client.join(state.config.appId, a.channel, a.rtcToken, joinUid()), gaveUp]);
			} catch (e) {
				client.leave().catch(() => {});
				$('call-status').textContent = 'Not joined.';
				showError('call-error', sdkErrorParts('The join failed', e));
				log('Join failed: ' + (e.code || e.name) + ': ' + e.message, 'bad');
				return;
			} finally {
				clearTimeout(timer);
			}
			state.client = client;
			schedule();         // the SDK's event renews from now on
			$('videos').hidden = false;
			$('call-status').textContent = 'Joined channel ' + a.channel + ' as uid ' + uid + '.';
			log('Joined ' + a.channel + ' as uid ' + uid, 'good');
			if (a.role === 'publisher')
				await publish(AgoraRTC, client);
		} finally {
			state.joining = false;
			updateButtons();
		}
	}

	async function publish(AgoraRTC, client) {
		try {
			state.tracks = await AgoraRTC.createMicrophoneAndCameraTracks();
			state.tracks[1].play($('local-video'));
			await client.publish(state.tracks);
			log('Publishing camera and microphone', 'good');
		} catch (e) {
			showError('call-error', sdkErrorParts('Joined, but not publishing', e));
			log('Publish failed: ' + (e.code || e.name) + ': ' + e.message, 'bad');
		}
	}

	function listen(client) {
		client.on('user-published', async (user, type) => {
			try {
				await client.subscribe(user, type);
			} catch (e) {
				log('Subscribe to ' + user.uid + ' failed: ' + (e.code || e.name), 'bad');
				return;
			}
			if (type === 'video')
				user.videoTrack.play(remoteBox(user.uid));
			else
				user.audioTrack.play();
			log('Receiving ' + type + ' from uid ' + user.uid);
		});
		client.on('user-unpublished', (user, type) => log('uid ' + user.uid + ' stopped its ' + type));
		client.on('user-left', (user) => {
			const box = document.getElementById('remote-' + user.uid);
			if (box)
				box.closest('figure').remove();
			log('uid ' + user.uid + ' left');
		});
		client.on('token-privilege-will-expire', () => {
			log('The SDK says the token will expire soon (token-privilege-will-expire)');
			renew('SDK event token-privilege-will-expire');
		});
		client.on('token-privilege-did-expire', () => {
			log('The token expired (token-privilege-did-expire): leave and join again.', 'bad');
			showError('call-error', ['The token expired: ', { code: 'TOKEN_EXPIRED' }, '. Leave and join again.']);
		});
		client.on('connection-state-change', (cur, prev, reason) =>
			log('Connection ' + prev + ' → ' + cur + (reason ? ' (' + reason + ')' : '')));
		client.on('exception', (e) => log('SDK exception ' + e.code + ': ' + e.msg));
	}

	function remoteBox(uid) {
		let box = document.getElementById('remote-' + uid);
		if (box)
			return box;
		const fig = document.createElement('figure');
		fig.className = 'video';
		box = document.createElement('div');
		box.className = 'screen';
		box.id = 'remote-' + uid;
		const cap = document.createElement('figcaption');
		cap.textContent = 'uid ' + uid;
		fig.append(box, cap);
		$('remote-videos').append(fig);
		return box;
	}

	async function leave() {
		const client = state.client;
		state.client = null;
		for (const t of state.tracks)
			t.close();
		state.tracks = [];
		$('remote-videos').replaceChildren();
		$('local-video').replaceChildren();
		$('videos').hidden = true;
		if (client)
			await client.leave().catch(() => {});
		$('call-status').textContent = 'Left the channel.';
		log('Left the channel');
		schedule();
		updateButtons();
	}

	function updateButtons() {
		$('get').disabled = !state.config;
		$('join').disabled = !state.config || !!state.client || state.joining;
		$('leave').disabled = !state.client;
	}

	/* ---- snippets, with this server's URL and the form's values ---- */

	function snippets() {
		if (!state.base)
			return;
		const p = request();
		const acct = p.account !== undefined;
		const v = {
			server: JSON.stringify(state.base.href),
			appId: JSON.stringify(state.config ? state.config.appId : 'YOUR_APP_ID'),
			channel: JSON.stringify(p.channel),
			who: acct ? JSON.stringify(p.account) : String(parseInt(p.uid, 10) || 0),
			whoName: acct ? 'account' : 'uid',
			rest: '&role=' + p.role + '&expire=' + (p.expire || 3600),
			pub: p.role === 'publisher',
		};
		// Dart and Kotlin read "$" in a string as interpolation: their literals escape it
		const dollar = (lit) => lit.replace(/\$/g, '\\$');
		const dk = { channel: dollar(v.channel), who: acct ? dollar(v.who) : v.who };
		// the query, with each language's way of putting the channel and the uid or account in
		const q = (ch, who) => '?type=rtc&channel=' + ch + '&' + v.whoName + '=' + who + v.rest;
		$('snippet-flutter').textContent = [
			"import 'dart:convert';",
			"import 'package:http/http.dart' as http;",
			"import 'package:agora_rtc_engine/agora_rtc_engine.dart';",
			'',
			'const serverUrl = ' + v.server + ';',
			'const appId = ' + v.appId + ';',
			'const channel = ' + dk.channel + ';',
			'const ' + v.whoName + ' = ' + dk.who + ';',
			'',
			'Future<String> fetchToken() async {',
			'  final r = await http.get(Uri.parse(',
			"      '$serverUrl" + q('${Uri.encodeComponent(channel)}', acct ? '${Uri.encodeComponent(account)}' : '$uid') + "'));",
			'  final body = jsonDecode(r.body);',
			"  if (r.statusCode != 200) throw Exception('${body['code']}: ${body['error']}');",
			"  return body['rtcToken'];",
			'}',
			'',
			'Future<RtcEngine> join() async {',
			'  final engine = createAgoraRtcEngine();',
			'  await engine.initialize(const RtcEngineContext(appId: appId));',
			'  engine.registerEventHandler(RtcEngineEventHandler(',
			'    onTokenPrivilegeWillExpire: (RtcConnection connection, String token) async {',
			'      await engine.renewToken(await fetchToken());',
			'    },',
			'  ));',
			'  await engine.enableVideo();',
			'  final token = await fetchToken();   // http.get before joinChannel',
			'  const options = ChannelMediaOptions(',
			'      clientRoleType: ClientRoleType.clientRole' + (v.pub ? 'Broadcaster' : 'Audience') + ',',
			'      channelProfile: ChannelProfileType.channelProfileCommunication);',
			acct ? '  await engine.joinChannelWithUserAccount(token: token, channelId: channel, userAccount: account, options: options);'
				: '  await engine.joinChannel(token: token, channelId: channel, uid: uid, options: options);',
			'  return engine;',
			'}',
		].join('\n');
		$('snippet-web').textContent = [
			'import AgoraRTC from "agora-rtc-sdk-ng";   // or <script src="AgoraRTC_N.js"></script>',
			'',
			'const serverUrl = ' + v.server + ';',
			'const appId = ' + v.appId + ';',
			'const channel = ' + v.channel + ';',
			'const ' + v.whoName + ' = ' + v.who + ';',
			'',
			'async function fetchToken() {',
			'  const r = await fetch(serverUrl + "' + q('" + encodeURIComponent(channel) + "', '" + encodeURIComponent(' + v.whoName + ') + "') + '");',
			'  const body = await r.json();',
			'  if (!r.ok) throw new Error(body.code + ": " + body.error);',
			'  return body.rtcToken;',
			'}',
			'',
			'const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });',
			'client.on("token-privilege-will-expire", async () => {',
			'  await client.renewToken(await fetchToken());',
			'});',
			'await client.join(appId, channel, await fetchToken(), ' + (acct ? 'account' : 'uid || null') + ');',
			v.pub ? 'const [mic, cam] = await AgoraRTC.createMicrophoneAndCameraTracks();\ncam.play("local-video");   // a <div id="local-video">\nawait client.publish([mic, cam]);' : '// a subscriber: play remote users from the "user-published" event',
		].join('\n');
		$('snippet-android').textContent = [
			'// build.gradle: implementation("io.agora.rtc:full-sdk:4.+")',
			'const val SERVER_URL = ' + v.server,
			'const val APP_ID = ' + v.appId,
			'val channel = ' + dk.channel,
			'val ' + v.whoName + ' = ' + dk.who,
			'',
			'fun fetchToken(): String {   // off the main thread',
			'    val enc = { s: String -> URLEncoder.encode(s, "UTF-8").replace("+", "%20") }',
			'    val c = URL(SERVER_URL + "' + q('${enc(channel)}', acct ? '${enc(account)}' : '$uid') + '")',
			'        .openConnection() as HttpURLConnection',
			'    val ok = c.responseCode == 200',
			'    val body = JSONObject((if (ok) c.inputStream else c.errorStream).bufferedReader().readText())',
			'    if (!ok) throw IOException(body.getString("code") + ": " + body.getString("error"))',
			'    return body.getString("rtcToken")',
			'}',
			'',
			'lateinit var engine: RtcEngine',
			'engine = RtcEngine.create(RtcEngineConfig().apply {',
			'    mContext = applicationContext',
			'    mAppId = APP_ID',
			'    mEventHandler = object : IRtcEngineEventHandler() {',
			'        override fun onTokenPrivilegeWillExpire(token: String?) {',
			'            thread { engine.renewToken(fetchToken()) }',
			'        }',
			'    }',
			'})',
			'thread {',
			'    val token = fetchToken()',
			'    val options = ChannelMediaOptions().apply {',
			'        clientRoleType = Constants.CLIENT_ROLE_' + (v.pub ? 'BROADCASTER' : 'AUDIENCE'),
			'    }',
			'    engine.enableVideo()',
			acct ? '    engine.joinChannelWithUserAccount(token, channel, account, options)' : '    engine.joinChannel(token, channel, uid, options)',
			'}',
		].join('\n');
		$('snippet-ios').textContent = [
			'import AgoraRtcKit',
			'',
			'let serverUrl = ' + v.server,
			'let appId = ' + v.appId,
			'let channel = ' + v.channel,
			acct ? 'let account = ' + v.who : 'let uid: UInt = ' + v.who,
			'',
			'func fetchToken() async throws -> String {',
			'    let enc = { (s: String) in s.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }',
			'    let url = URL(string: serverUrl + "' + q('\\(enc(channel))', acct ? '\\(enc(account))' : '\\(uid)') + '")!',
			'    let (data, response) = try await URLSession.shared.data(from: url)',
			'    let body = try JSONSerialization.jsonObject(with: data) as! [String: Any]',
			'    guard (response as! HTTPURLResponse).statusCode == 200 else {',
			'        throw NSError(domain: "token", code: 0,',
			'                      userInfo: [NSLocalizedDescriptionKey: "\\(body["code"]!): \\(body["error"]!)"])',
			'    }',
			'    return body["rtcToken"] as! String',
			'}',
			'',
			'class Call: NSObject, AgoraRtcEngineDelegate {',
			'    var engine: AgoraRtcEngineKit!',
			'',
			'    func join() async throws {',
			'        engine = AgoraRtcEngineKit.sharedEngine(withAppId: appId, delegate: self)',
			'        engine.enableVideo()',
			'        let options = AgoraRtcChannelMediaOptions()',
			'        options.clientRoleType = .' + (v.pub ? 'broadcaster' : 'audience'),
			'        let token = try await fetchToken()',
			acct ? '        engine.joinChannel(byToken: token, channelId: channel, userAccount: account, mediaOptions: options)'
				: '        engine.joinChannel(byToken: token, channelId: channel, uid: uid, mediaOptions: options)',
			'    }',
			'',
			'    func rtcEngine(_ engine: AgoraRtcEngineKit, tokenPrivilegeWillExpire token: String) {',
			'        Task { engine.renewToken(try await fetchToken()) }',
			'    }',
			'}',
		].join('\n');
	}

	/* ---- wiring ---- */

	function init() {
		const params = new URLSearchParams(location.search);
		const meta = document.querySelector('meta[name=token-server]');
		$('server').value = params.get('server') || (meta && meta.content) || 'token';
		for (const f of ['channel', 'role', 'lifetime'])
			if (params.has(f))
				$(f).value = params.get(f);
		if (params.has('lifetime'))
			$('lifetime').dataset.touched = '1';
		if (params.has('uid'))
			$('who').value = params.get('uid');
		if (params.has('account')) {
			$('kind-account').checked = true;
			$('who').value = params.get('account');
		}
		kindChanged();
		$('ask').addEventListener('submit', (ev) => { ev.preventDefault(); getToken(); });
		$('join').addEventListener('click', join);
		$('leave').addEventListener('click', leave);
		$('reload-config').addEventListener('click', loadConfig);
		$('server-trust-yes').addEventListener('click', () => {
			state.confirmed = state.base.origin;
			log('Keys may go to ' + state.confirmed + ' (you confirmed it)');
			loadConfig();
		});
		$('server-trust-no').addEventListener('click', () => {
			$('server').value = deployerServer().href;
			loadConfig();
		});
		$('copy').addEventListener('click', () => {
			navigator.clipboard.writeText($('token').value).then(() => log('Token copied'),
				() => { $('token').select(); log('Select the token and copy it'); });
		});
		$('lifetime').addEventListener('input', () => { $('lifetime').dataset.touched = '1'; });
		for (const r of document.querySelectorAll('input[name=kind]'))
			r.addEventListener('change', kindChanged);
		$('ask').addEventListener('input', snippets);
		setInterval(tick, 250);
		loadConfig();
	}

	function kindChanged() {
		const account = $('kind-account').checked;
		$('who-label').textContent = account ? 'User account (1 to 255 characters)' : 'Uid (0: any uid may join with this token)';
		$('who').inputMode = account ? 'text' : 'numeric';
		if (account && /^\d+$/.test($('who').value))
			$('who').value = 'alice';
		else if (!account && !/^\d+$/.test($('who').value))
			$('who').value = '0';
	}

	init();
})();
