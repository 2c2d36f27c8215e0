// SPDX-License-Identifier: MIT
// interop.js - run by tests/interop.t: our CLI against the official npm builders and parsers.
// One node process makes every case from a seeded PRNG and prints TAP, one line per (builder, check).
'use strict'

const { execFileSync } = require('child_process')
const crypto = require('crypto')
const util = require('util')
const zlib = require('zlib')

const CLI = process.argv[2]
// token.fcgi, run as a CGI program: its tokens are checked too (INTEROP_SERVER, set by interop.t)
const SERVER = process.env.INTEROP_SERVER || ''
const fs = require('fs')
const os = require('os')
const path = require('path')
const SEED = (process.argv[3] ? Number(process.argv[3]) : crypto.randomBytes(4).readUInt32LE(0)) >>> 0
const CASES = Number(process.env.INTEROP_CASES || 330)

// npm agora-access-token's fromString() console.logs its exceptions: keep TAP's stdout clean.
console.log = (...a) => process.stderr.write('# npm: ' + a.join(' ') + '\n')

const A2 = require('agora-token/src/AccessToken2')
const npm = require('agora-token')
const MODULE006 = ['agora-access-token', 'agora-access-token/src/AccessToken',
	'agora-access-token/src/RtcTokenBuilder', 'agora-access-token/src/RtmTokenBuilder']

// ---- seeded PRNG (mulberry32): a failure reruns with INTEROP_SEED=<seed> ----
let state = SEED
function rnd() {
	state = (state + 0x6D2B79F5) >>> 0
	let t = state
	t = Math.imul(t ^ (t >>> 15), t | 1)
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
const pick = a => a[int(0, a.length - 1)]
const chance = p => rnd() < p

const HEX = '0123456789abcdefABCDEF'
const AGORA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,'
// user ids and APaaS uuids may be any UTF-8 without control characters: mix in multi-byte ones
const WIDE = ['é', 'ß', '中', '文', '€', '😀', '"', '\\', "'", '/', '*', '`']
const hex32 = () => Array.from({ length: 32 }, () => pick(HEX)).join('')
const agoraStr = (lo, hi) => Array.from({ length: int(lo, hi) }, () => pick(AGORA)).join('')
function userStr(maxBytes) {
	let s = ''
	const want = int(1, maxBytes)
	for (;;) {
		const c = chance(0.15) ? pick(WIDE) : pick(AGORA)
		if (Buffer.byteLength(s + c) > want)
			return s || 'u'
		s += c
	}
}
const uidValue = () => pick([0, int(1, 9), int(1, 4294967295), 4294967295, 2882341273])
const uidStr = uid => (uid === 0 ? '' : String(uid))
const md5hex = s => crypto.createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex')

// ---- run the npm builders deterministically (format spec 5.1) ----
function stubbed(ts, random, fn) {
	const getTime = Date.prototype.getTime, valueOf = Date.prototype.valueOf, mr = Math.random
	Date.prototype.getTime = () => ts * 1000
	Date.prototype.valueOf = () => ts * 1000          // 006: Math.floor(new Date() / 1000)
	Math.random = () => random
	try {
		return fn()
	} finally {
		Date.prototype.getTime = getTime
		Date.prototype.valueOf = valueOf
		Math.random = mr
	}
}
// 007: salt = floor(random * 99999999) + 1. The arithmetic holds for any u32 salt, even 0.
const npm007 = (c, fn) => stubbed(c.issueTs, (c.salt - 0.5) / 99999999, fn)
// 006: the salt is drawn once, when AccessToken.js loads: load it afresh for every token.
function npm006(c, fn) {
	return stubbed(c.issueTs, (c.salt + 0.5) / 0xFFFFFFFF, () => {
		for (const m of MODULE006)
			delete require.cache[require.resolve(m)]
		return fn(require('agora-access-token'))
	})
}

// ---- what a token holds, in one normal form for all three readers ----
const privs = (...kv) => Object.fromEntries(kv)
function svc(type, fields, p) {
	return Object.assign({ type }, fields, { privileges: p })
}
const sortSvcs = s => s.map((x, i) => [x, i]).sort((a, b) => a[0].type - b[0].type || a[1] - b[1]).map(x => x[0])

function fromNpm(t) {
	const str = b => Buffer.from(b).toString('utf8')
	return {
		// the parser keeps the app id as a Buffer
		appId: str(t.appId), issueTs: t.issueTs, expire: t.expire, salt: t.salt,
		services: t.services.map(s => {
			const p = Object.fromEntries(Object.entries(s.__privileges).map(([k, v]) => [Number(k), v]))
			switch (s.__type) {
			case 1: return svc(1, { channel: str(s.__channel_name), uid: str(s.__uid) }, p)
			case 2: case 5: return svc(s.__type, { userId: str(s.__user_id) }, p)
			case 4: case 9: case 10: return svc(s.__type, {}, p)
			case 3: case 6: return svc(s.__type, { channel: str(s.__channel_name), account: str(s.__account) }, p)
			case 8: return svc(8, { userId: str(s.__user_id), permissions: npmPerms(s.__permissions.details) }, p)
			// npm reads the i16 role unsigned (-1 -> 65535): sign-extend it back
			case 7: return svc(7, { room: str(s.__room_uuid), user: str(s.__user_uuid), role: (s.__role << 16) >> 16 }, p)
			default: return svc(s.__type, { unexpected: true }, p)
			}
		}),
	}
}

// RTM 2 permissions in one normal form: [[resourceType, permType, [names...]], ...] sorted
function npmPerms(details) {
	const out = []
	for (const rt of Object.keys(details).map(Number).sort((a, b) => a - b))
		for (const pt of Object.keys(details[rt]).map(Number).sort((a, b) => a - b))
			out.push([rt, pt, details[rt][pt].map(String)])
	return out
}

const NAMES = { 1: [, 'joinChannel', 'publishAudioStream', 'publishVideoStream', 'publishDataStream'],
	2: [, 'login'], 3: [, 'publishMixStream', 'publishRawStream'], 4: [, 'login'], 5: [, 'user', 'app'],
	6: [, 'publish', 'play'], 7: [, 'roomUser', 'user', 'app'], 8: [, 'login'] }
const SVC_NAMES = { 1: 'rtc', 2: 'rtm', 3: 'streaming', 4: 'fpa', 5: 'chat', 6: 'fcdn', 7: 'apaas', 8: 'rtm2',
	9: 'convoai', 10: 'stt' }

// Our inspect JSON in the same form; names and expiresAt are checked on the way.
function fromInspect(j, problems) {
	if (j.version !== '007')
		problems.push('version ' + j.version)
	if (j.expiresAt !== j.issueTs + j.expire)
		problems.push('expiresAt ' + j.expiresAt)
	return {
		appId: j.appId, issueTs: j.issueTs, expire: j.expire, salt: j.salt,
		services: j.services.map(s => {
			if (s.name !== SVC_NAMES[s.type])
				problems.push(`service ${s.type} named ${s.name}`)
			const p = {}
			for (const q of s.privileges) {
				p[q.id] = q.expire
				if (q.name !== (NAMES[s.type] || [])[q.id] || q.expiresAt !== j.issueTs + q.expire)
					problems.push(`privilege ${s.type}/${q.id}: ${q.name} ${q.expiresAt}`)
			}
			const f = {}
			for (const k of ['channel', 'uid', 'userId', 'account', 'room', 'user', 'role'])
				if (k in s)
					f[k] = s[k]
			if ('permissions' in s)
				f.permissions = s.permissions.map(q => [q.resourceType, q.permType, q.resources])
			return svc(s.type, f, p)
		}),
	}
}

// ---- the cases: each says how our CLI makes it, how npm makes it, and what both should hold ----
function base(kind) {
	return { kind, appId: hex32(), cert: hex32(), issueTs: chance(0.1) ? pick([0, 1, 4294880000]) : int(1, 2000000000),
		salt: chance(0.1) ? pick([0, 1, 99999999, 4294967295]) : int(1, 99999999) }
}
// --opt value or --opt=value, both accepted
const opt = (name, v) => (chance(0.2) ? [`--${name}=${v}`] : [`--${name}`, String(v)])
const expireOf = c => { c.expire = int(1, 86400); return opt('expire', c.expire) }

function rtcCase(kind, byUid, role) {
	const c = base(kind)
	c.channel = agoraStr(1, 64)
	c.byUid = byUid
	c.account = byUid ? uidValue() : agoraStr(1, 255)
	c.role = role
	c.args = ['rtc', ...opt('channel', c.channel), ...(byUid ? opt('uid', c.account) : opt('account', c.account)),
		...expireOf(c)]
	// publisher is the default role: leave it out now and then
	if (role === 2 || chance(0.7))
		c.args.push(...opt('role', role === 1 ? 'publisher' : 'subscriber'))
	c.pe = c.expire
	if (chance(0.6)) {
		c.pe = int(0, 86400)
		c.args.push(...opt('privilege-expire', c.pe))
	}
	c.priv = [c.pe, c.pe, c.pe, c.pe]
	return c
}

// --join/--audio/--video/--data: all four privileges, the ones not given last --privilege-expire
function explicit(c) {
	c.args = c.args.filter((a, i, all) => a !== '--role' && all[i - 1] !== '--role' && !a.startsWith('--role='))
	c.role = 1
	c.explicit = true
	;['join', 'audio', 'video', 'data'].forEach((name, i) => {
		if (i === 0 || chance(0.7)) {
			c.priv[i] = int(0, 86400)
			c.args.push(...opt(name, c.priv[i]))
		}
	})
	return c
}

const KINDS = {
	rtc_uid_pub: () => rtcCase('rtc_uid_pub', true, 1),
	rtc_uid_sub: () => rtcCase('rtc_uid_sub', true, 2),
	rtc_acct_pub: () => rtcCase('rtc_acct_pub', false, 1),
	rtc_acct_sub: () => rtcCase('rtc_acct_sub', false, 2),
	rtc_explicit: () => explicit(rtcCase('rtc_explicit', chance(0.5), 1)),
	rtc_rtm: () => {
		const c = rtcCase('rtc_rtm', chance(0.5), pick([1, 2]))
		if (chance(0.3))
			explicit(c)
		// BuildTokenWithRtm uses the account as the RTM user; BuildTokenWithRtm2 takes any user
		c.rtmUser = !c.byUid && !c.explicit && chance(0.5) && Buffer.byteLength(c.account) <= 64 ? c.account : userStr(64)
		c.args.push(...opt('rtm-user', c.rtmUser))
		return c
	},
	rtm: () => { const c = base('rtm'); c.user = userStr(64); c.args = ['rtm', ...opt('user', c.user), ...expireOf(c)]; return c },
	chat_user: () => { const c = base('chat_user'); c.user = userStr(64); c.args = ['chat', ...opt('user', c.user), ...expireOf(c)]; return c },
	chat_app: () => { const c = base('chat_app'); c.args = ['chat', '--app', ...expireOf(c)]; return c },
	apaas_room_user: () => {
		const c = base('apaas_room_user')
		c.room = userStr(255)
		c.user = userStr(chance(0.5) ? 64 : 255)
		c.role = pick([0, 1, 2, 3, int(0, 32767)])
		c.args = ['apaas', ...opt('room', c.room), ...opt('user', c.user), ...opt('role', c.role), ...expireOf(c)]
		return c
	},
	apaas_user: () => { const c = base('apaas_user'); c.user = userStr(255); c.args = ['apaas', ...opt('user', c.user), ...expireOf(c)]; return c },
	apaas_app: () => { const c = base('apaas_app'); c.args = ['apaas', '--app', ...expireOf(c)]; return c },
	fpa: () => { const c = base('fpa'); c.args = ['fpa']; return c },
	// buildTokenWithRtm2 with the RTM login's own lifetime
	rtc_rtm2: () => {
		const c = rtcCase('rtc_rtm2', chance(0.5), pick([1, 2]))
		c.rtmUser = userStr(64)
		c.rtmExpire = int(1, 86400)
		c.args.push(...opt('rtm-user', c.rtmUser), ...opt('rtm-expire', c.rtmExpire))
		return c
	},
	// repeated services: RTC for the channel plus a second RTC as a Signaling stream channel
	rtc_stream: () => {
		const c = rtcCase('rtc_stream', chance(0.5), pick([1, 2]))
		c.rtmUser = userStr(64)
		c.rtmExpire = int(1, 86400)
		c.stream = chance(0.3) ? '*' : agoraStr(1, 64)
		c.args.push(...opt('rtm-user', c.rtmUser), ...opt('rtm-expire', c.rtmExpire), ...opt('rtm-channel', c.stream))
		return c
	},
	convoai: () => agentCase('convoai'),
	stt: () => agentCase('stt'),
	rtm_stream: () => {
		const c = base('rtm_stream')
		c.user = userStr(64)
		c.stream = chance(0.3) ? '*' : agoraStr(1, 64)
		c.args = ['rtm', ...opt('user', c.user), ...opt('channel', c.stream), ...expireOf(c)]
		return c
	},
	rtm2: () => {
		const c = base('rtm2')
		c.user = userStr(64)
		c.perms = []
		const seen = new Set()
		for (let i = int(0, 4); i > 0; i--) {
			const rt = int(0, 4), pt = int(0, 1)
			if (seen.has(rt * 2 + pt))
				continue
			seen.add(rt * 2 + pt)
			const names = Array.from({ length: int(1, 3) }, () => agoraStr(1, 20).replace(/[,;:]/g, 'x'))
			c.perms.push([rt, pt, names])
		}
		const rn = ['message_channels', 'stream_channels', 'group_channels', 'server_groups', 'users']
		const spec = c.perms.map(([rt, pt, n]) => `${chance(0.5) ? rt : rn[rt]}:${chance(0.5) ? pt : ['read', 'write'][pt]}:${n.join(',')}`)
		c.args = ['rtm', ...opt('user', c.user), ...expireOf(c)]
		// without --permissions the CLI makes a plain RTM token: give at least one group
		if (!c.perms.length) {
			c.perms.push([1, 0, ['ch']])
			spec.push('1:0:ch')
		}
		c.args.push(...opt('permissions', spec.join(';')))
		c.perms.sort((a, b) => a[0] - b[0] || a[1] - b[1])
		return c
	},
	streaming: () => streamCase('streaming'),
	fcdn: () => streamCase('fcdn'),
	rtc006_uid: () => case006('rtc006_uid'),
	rtc006_acct: () => case006('rtc006_acct'),
	rtm006: () => case006('rtm006'),
}

// ConvoAI and STT: the RTC of an rtc case, an RTM user with its own lifetime, the empty service
function agentCase(kind) {
	const c = rtcCase(kind, chance(0.5), pick([1, 2]))
	if (c.role === 1 && chance(0.3))
		explicit(c)
	c.args[0] = kind
	c.rtmUser = userStr(64)
	c.rtmExpire = int(1, 86400)
	c.args.push(...opt('rtm-user', c.rtmUser), ...opt('rtm-expire', c.rtmExpire))
	return c
}

function streamCase(kind) {
	const c = base(kind)
	c.channel = agoraStr(1, 64)
	c.byUid = chance(0.4)
	c.account = c.byUid ? uidValue() : chance(0.2) ? undefined : agoraStr(1, 255)
	c.args = [kind, ...opt('channel', c.channel), ...expireOf(c)]
	if (c.byUid)
		c.args.push(...opt('uid', c.account))
	else if (c.account !== undefined)
		c.args.push(...opt('account', c.account))
	return c
}

function case006(kind) {
	const c = base(kind)
	c.v006 = true
	c.issueTs = Math.min(c.issueTs, 4000000000)
	// 006 privileges are absolute: lifetimes past 24 h are legal there
	c.life = chance(0.2) ? int(86401, 10 * 86400) : int(1, 86400)
	if (kind === 'rtm006') {
		c.user = userStr(64)
		c.channel = c.user
		c.uid = ''
		c.args = ['rtm', '--version', '006', ...opt('user', c.user), ...opt('expire', c.life)]
		c.target = ['--user', c.user]
		return c
	}
	c.channel = agoraStr(1, 64)
	c.byUid = kind === 'rtc006_uid'
	c.account = c.byUid ? uidValue() : agoraStr(1, 255)
	c.uid = c.byUid ? uidStr(c.account) : c.account
	c.role = chance(0.5) ? 1 : 2
	c.args = ['rtc', ...opt('version', '006'), ...opt('channel', c.channel),
		...(c.byUid ? opt('uid', c.account) : opt('account', c.account)), '--role', c.role === 1 ? 'publisher' : 'subscriber',
		...(chance(0.5) ? opt('privilege-expire', c.life) : opt('expire', c.life))]
	c.target = ['--channel', c.channel, c.byUid ? '--uid' : '--account', String(c.account)]
	return c
}

// What each side should make. Where npm 2.0.6 departs from the official semantics, it is said here.
function expect007(c, forNpm) {
	const head = { appId: c.appId, issueTs: c.issueTs, expire: c.expire, salt: c.salt }
	const E = c.expire
	switch (c.kind) {
	case 'rtm': return { ...head, services: [svc(2, { userId: c.user }, privs([1, E]))] }
	case 'chat_user': return { ...head, services: [svc(5, { userId: c.user }, privs([1, E]))] }
	case 'chat_app': return { ...head, services: [svc(5, { userId: '' }, privs([2, E]))] }
	case 'apaas_user': return { ...head, services: [svc(7, { room: '', user: c.user, role: -1 }, privs([2, E]))] }
	case 'apaas_app': return { ...head, services: [svc(7, { room: '', user: '', role: -1 }, privs([3, E]))] }
	case 'fpa': return { ...head, expire: 86400, services: [svc(4, {}, privs([1, 0]))] }
	case 'rtm_stream':
		return { ...head, services: [svc(1, { channel: c.stream, uid: c.user }, privs([1, E], [4, E])),
			svc(2, { userId: c.user }, privs([1, E]))] }
	case 'rtm2': return { ...head, services: [svc(8, { userId: c.user, permissions: c.perms }, privs([1, E]))] }
	case 'streaming': case 'fcdn': {
		const acct = c.account === undefined ? '' : c.byUid ? uidStr(c.account) : c.account
		return { ...head, services: [svc(c.kind === 'streaming' ? 3 : 6, { channel: c.channel, account: acct }, privs([1, E], [2, E]))] }
	}
	case 'apaas_room_user':
		return { ...head, services: sortSvcs([
			// npm quirk 1 (spec 1.11): buildRoomUserToken adds no RoomUser privilege to the APaaS service;
			// npm quirk 2: ServiceApaas stores `role || -1`, so role 0 is packed as -1.
			svc(7, { room: c.room, user: c.user, role: forNpm ? (c.role || -1) : c.role }, forNpm ? {} : privs([1, E])),
			svc(2, { userId: c.user }, privs([1, E])),
			svc(5, { userId: md5hex(c.user) }, privs([1, E])),
		]) }
	}
	// rtc
	const p = c.role === 1 ? privs([1, c.priv[0]], [2, c.priv[1]], [3, c.priv[2]], [4, c.priv[3]]) : privs([1, c.priv[0]])
	const s = [svc(1, { channel: c.channel, uid: c.byUid ? uidStr(c.account) : c.account }, p)]
	const RE = c.rtmExpire === undefined ? E : c.rtmExpire
	if (c.stream !== undefined)
		s.push(svc(1, { channel: c.stream, uid: c.rtmUser }, privs([1, RE], [4, RE])))
	if (c.rtmUser !== undefined)
		s.push(svc(2, { userId: c.rtmUser }, privs([1, RE])))
	if (c.kind === 'convoai' || c.kind === 'stt')
		s.push(svc(c.kind === 'convoai' ? 9 : 10, {}, {}))
	return { ...head, services: s }
}

function buildNpm007(c) {
	const { appId: a, cert: k, expire: E } = c
	const uid = c.account     // a number for uids (0 -> ""), a string for accounts
	switch (c.kind) {
	case 'rtm': return npm.RtmTokenBuilder.buildToken(a, k, c.user, E)
	case 'chat_user': return npm.ChatTokenBuilder.buildUserToken(a, k, c.user, E)
	case 'chat_app': return npm.ChatTokenBuilder.buildAppToken(a, k, E)
	case 'apaas_room_user': return (chance(0.5) ? npm.ApaasTokenBuilder : npm.EducationTokenBuilder)
		.buildRoomUserToken(a, k, c.room, c.user, c.role, E)
	case 'apaas_user': return npm.ApaasTokenBuilder.buildUserToken(a, k, c.user, E)
	case 'apaas_app': return npm.ApaasTokenBuilder.buildAppToken(a, k, E)
	case 'fpa': return npm.FpaTokenBuilder.buildToken(a, k)
	case 'convoai': case 'stt':
		return (c.kind === 'convoai' ? npm.ConvoAITokenBuilder : npm.SttTokenBuilder)
			.buildToken(a, k, c.channel, uid, c.role, E, ...c.priv, c.rtmUser, c.rtmExpire)
	case 'rtc_rtm2':
		return npm.RtcTokenBuilder.buildTokenWithRtm2(a, k, c.channel, uid, c.role, E, ...c.priv, c.rtmUser, c.rtmExpire)
	case 'rtc_stream': {
		// no npm builder: the same services through AccessToken2, as Agora's tools add them
		const t = new A2.AccessToken2(a, k, 0, E)
		const rtc = new A2.ServiceRtc(c.channel, uid)
		rtc.add_privilege(1, c.priv[0])
		if (c.role === 1)
			[2, 3, 4].forEach(id => rtc.add_privilege(id, c.priv[id - 1]))
		t.add_service(rtc)
		const st = new A2.ServiceRtc(c.stream, c.rtmUser)
		st.add_privilege(1, c.rtmExpire)
		st.add_privilege(4, c.rtmExpire)
		t.add_service(st)
		const rtm = new A2.ServiceRtm(c.rtmUser)
		rtm.add_privilege(1, c.rtmExpire)
		t.add_service(rtm)
		return t.build()
	}
	case 'rtm_stream': {
		// agora-token-service's RTM builder with a stream name, in npm's classes
		const t = new A2.AccessToken2(a, k, 0, E)
		const st = new A2.ServiceRtc(c.stream, c.user)
		st.add_privilege(1, E)
		st.add_privilege(4, E)
		t.add_service(st)
		const rtm = new A2.ServiceRtm(c.user)
		rtm.add_privilege(1, E)
		t.add_service(rtm)
		return t.build()
	}
	case 'rtm2': {
		const p = new npm.Rtm2Permissions()
		for (const [rt, pt, names] of c.perms)
			p.add(rt, pt, names)
		return npm.RtmTokenBuilder.buildTokenWithPermissions(a, k, c.user, p, E)
	}
	case 'streaming': case 'fcdn': {
		const t = new A2.AccessToken2(a, k, 0, E)
		const acct = c.account === undefined ? '' : c.account
		const s = c.kind === 'streaming' ? new A2.ServiceStreaming(c.channel, acct) : new A2.ServiceFCdn(c.channel, acct)
		s.add_privilege(1, E)
		s.add_privilege(2, E)
		t.add_service(s)
		return t.build()
	}
	case 'rtc_explicit': return (c.byUid ? npm.RtcTokenBuilder.buildTokenWithUidAndPrivilege.bind(npm.RtcTokenBuilder)
		: npm.RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege.bind(npm.RtcTokenBuilder))(a, k, c.channel, uid, E, ...c.priv)
	case 'rtc_rtm':
		// buildTokenWithRtm only when the RTM user is the account: with a uid number npm's ServiceRtm
		// would hand a number to Buffer.from and throw
		if (!c.byUid && !c.explicit && c.rtmUser === c.account)
			return npm.RtcTokenBuilder.buildTokenWithRtm(a, k, c.channel, c.account, c.role, E, c.pe)
		return npm.RtcTokenBuilder.buildTokenWithRtm2(a, k, c.channel, uid, c.role, E, ...c.priv, c.rtmUser, E)
	}
	return c.byUid ? npm.RtcTokenBuilder.buildTokenWithUid(a, k, c.channel, uid, c.role, E, c.pe)
		: npm.RtcTokenBuilder.buildTokenWithUserAccount(a, k, c.channel, uid, c.role, E, c.pe)
}

function expect006(c) {
	const at = c.issueTs + c.life
	const p = c.kind === 'rtm006' ? { 1000: at } : c.role === 1 ? { 1: at, 2: at, 3: at, 4: at } : { 1: at }
	return { salt: c.salt, ts: c.issueTs + 86400, privileges: p }
}

function buildNpm006(c) {
	return npm006(c, m => c.kind === 'rtm006'
		? m.RtmTokenBuilder.buildToken(c.appId, c.cert, c.user, m.RtmRole.Rtm_User, c.issueTs + c.life)
		: c.byUid ? m.RtcTokenBuilder.buildTokenWithUid(c.appId, c.cert, c.channel, c.account, c.role, c.issueTs + c.life)
			: m.RtcTokenBuilder.buildTokenWithAccount(c.appId, c.cert, c.channel, c.account, c.role, c.issueTs + c.life))
}

// ---- our CLI ----
function cli(args, env) {
	try {
		return { rc: 0, out: execFileSync(CLI, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim() }
	} catch (e) {
		return { rc: e.status, out: String(e.stdout).trim(), err: e.stderr ? String(e.stderr).trim() : `${e.signal || ''} ${e.message}` }
	}
}
const repro = c => `${CLI} ${c.args.map(a => JSON.stringify(a)).join(' ')} --issue-ts ${c.issueTs} --salt ${c.salt} ` +
	`--app-id ${c.appId} --app-certificate ${c.cert}`
const same = (a, b) => util.isDeepStrictEqual(a, b)
const show = x => JSON.stringify(x)
const inflate = t => zlib.inflateSync(Buffer.from(t.slice(3), 'base64'))
const otherCert = c => (c.cert[0] === 'a' ? 'b' : 'a') + c.cert.slice(1)

// ---- the checks, per case; each returns null or what went wrong ----
function check007(c, r) {
	const mine = cli([...c.args, '--issue-ts', String(c.issueTs), '--salt', String(c.salt), '--app-id', c.appId,
		'--app-certificate', c.cert])
	if (mine.rc !== 0) {
		r('A: npm parses our token', `CLI exit ${mine.rc}: ${mine.err}`)
		return
	}
	const t = new A2.AccessToken2()
	r('A: npm parses our token', t.from_string(mine.out) ? null : 'from_string false')
	r('A: npm verifies our token', t.verifySignature(c.cert) ? null : 'verifySignature false')
	r('A: npm rejects our token under another certificate', t.verifySignature(otherCert(c)) ? 'verified' : null)
	const wantCli = expect007(c, false)
	const gotNpm = fromNpm(t)
	r('A: npm reads the fields we meant', same(gotNpm, wantCli) ? null : `got ${show(gotNpm)}\nwant ${show(wantCli)}`)

	const theirs = npm007(c, () => buildNpm007(c))
	if (!theirs) {
		r('B: our inspect reads npm\'s token', 'npm built ""')
		return
	}
	const env = { AGORA_APP_CERTIFICATE: c.cert }
	const ins = cli(['inspect', theirs], env)
	let j = null
	try {
		j = JSON.parse(ins.out)
	} catch (e) {
		r('B: our inspect reads npm\'s token', `exit ${ins.rc}, ${ins.err}: ${ins.out}`)
		return
	}
	const problems = []
	const gotCli = fromInspect(j, problems)
	const wantNpm = expect007(c, true)
	if (!same(gotCli, wantNpm))
		problems.push(`got ${show(gotCli)}\nwant ${show(wantNpm)}`)
	r('B: our inspect reads npm\'s token', problems.length ? problems.join('\n') : null)
	r('B: our inspect finds npm\'s signature valid', j.signatureValid === true ? null : show(j))
	const ver = cli(['verify', theirs], env)
	r('B: our verify accepts npm\'s token', ver.rc === 0 && ver.out === 'valid' ? null : `exit ${ver.rc} ${ver.out} ${ver.err}`)
	const bad = cli(['verify', theirs], { AGORA_APP_CERTIFICATE: otherCert(c) })
	r('B: our verify rejects npm\'s token under another certificate', bad.rc === 1 ? null : `exit ${bad.rc}`)
	// same inputs, same official semantics: the decompressed bytes must agree, signature included
	// (the compressed strings may not: Node's bundled zlib is not vanilla zlib, spec 1.5)
	if (same(wantCli, wantNpm))
		r('same inputs give the same payload bytes', inflate(mine.out).equals(inflate(theirs)) ? null
			: `ours ${inflate(mine.out).toString('hex')}\nnpm  ${inflate(theirs).toString('hex')}`)
}

function check006(c, r) {
	const mine = cli([...c.args, '--issue-ts', String(c.issueTs), '--salt', String(c.salt), '--app-id', c.appId,
		'--app-certificate', c.cert])
	if (mine.rc !== 0) {
		r('A: npm parses our token', `CLI exit ${mine.rc}: ${mine.err}`)
		return
	}
	const { AccessToken } = require('agora-access-token/src/AccessToken')
	const t = new AccessToken()
	r('A: npm parses our token', t.fromString(mine.out) ? null : 'fromString false')
	const want = expect006(c)
	const got = { salt: t.salt, ts: t.ts, privileges: Object.fromEntries(Object.entries(t.messages || {}).map(([k, v]) => [Number(k), v])) }
	r('A: npm reads the fields we meant', same(got, want) ? null : `got ${show(got)}\nwant ${show(want)}`)
	// npm 2.0.4 has no 006 verifier: re-sign the parsed message with npm and compare the signature
	const re = new AccessToken(c.appId, c.cert, c.channel, c.uid)
	re.salt = t.salt
	re.ts = t.ts
	re.messages = t.messages
	r('A: npm verifies our token', re.build() === mine.out ? null : `npm re-signed ${re.build()}`)
	const reBad = new AccessToken(c.appId, otherCert(c), c.channel, c.uid)
	Object.assign(reBad, { salt: t.salt, ts: t.ts, messages: t.messages })
	r('A: npm rejects our token under another certificate', reBad.build() === mine.out ? 'same signature' : null)

	const theirs = buildNpm006(c)
	// 006 is not compressed: the same inputs must give the same string
	r('same inputs give the same payload bytes', theirs === mine.out ? null : `ours ${mine.out}\nnpm  ${theirs}`)
	const env = { AGORA_APP_CERTIFICATE: c.cert }
	const ins = cli(['inspect', theirs, ...c.target], env)
	let j = {}
	try {
		j = JSON.parse(ins.out)
	} catch (e) {
		r('B: our inspect reads npm\'s token', `exit ${ins.rc}, ${ins.err}: ${ins.out}`)
		return
	}
	const gotJ = { salt: j.salt, ts: j.ts, privileges: Object.fromEntries((j.privileges || []).map(p => [p.id, p.expiresAt])) }
	const crc = s => zlib.crc32 ? zlib.crc32(Buffer.from(s)) : require('crc-32').buf(Buffer.from(s)) >>> 0
	const problems = []
	if (!same(gotJ, want))
		problems.push(`got ${show(gotJ)}\nwant ${show(want)}`)
	if (j.version !== '006' || j.appId !== c.appId || j.crcChannel !== crc(c.channel) || j.crcUid !== crc(c.uid))
		problems.push(show(j))
	r('B: our inspect reads npm\'s token', problems.length ? problems.join('\n') : null)
	r('B: our inspect finds npm\'s signature valid', j.signatureValid === true ? null : show(j))
	const ver = cli(['verify', theirs, ...c.target], env)
	r('B: our verify accepts npm\'s token', ver.rc === 0 ? null : `exit ${ver.rc} ${ver.out} ${ver.err}`)
	const bad = cli(['verify', theirs, ...c.target], { AGORA_APP_CERTIFICATE: otherCert(c) })
	r('B: our verify rejects npm\'s token under another certificate', bad.rc === 1 ? null : `exit ${bad.rc}`)
}

// ---- the server: every type it builds, parsed and verified by npm, and the same payload as npm
// builds with the token's own issue time and salt ----
const SERVER_KINDS = ['rtc', 'rte', 'rtm', 'rtm_stream', 'rtc_rtm', 'rtm2', 'convoai', 'stt', 'streaming', 'fcdn',
	'chat', 'path_rtc', 'post_rtm_stream']

function cgiRun(ini, env, body) {
	const out = execFileSync(SERVER, [], { env: { PATH: process.env.PATH, AGORA_TOKEN_CONFIG: ini, ...env },
		input: body || '', stdio: ['pipe', 'pipe', 'pipe'] })
	const s = out.toString('utf8')
	const i = s.indexOf('\r\n\r\n')
	return { status: Number((/^Status: (\d+)/.exec(s) || [])[1] || 0), json: JSON.parse(s.slice(i + 4)) }
}

function serverCase(kind, dir) {
	const c = base(kind)
	const q = {}
	c.channel = agoraStr(1, 64)
	c.byUid = chance(0.5)
	c.account = c.byUid ? int(1, 4294967295) : agoraStr(1, 255)
	c.role = pick([1, 2])
	c.expire = int(60, 86400)
	c.pe = int(60, 86400)
	c.rtmExpire = int(60, 86400)
	c.user = userStr(64)
	c.stream = chance(0.3) ? '*' : agoraStr(1, 64)
	const id = c.byUid ? { uid: c.account } : { account: c.account }
	const rtc = { channel: c.channel, ...id, role: c.role === 1 ? 'publisher' : 'subscriber', expire: c.expire,
		privilege_expire: c.pe }
	switch (kind) {
	case 'rtc': Object.assign(q, { type: 'rtc', ...rtc }); break
	case 'rte': Object.assign(q, { type: 'rte', ...rtc, user: c.user }); break
	case 'rtm': Object.assign(q, { type: 'rtm', user: c.user, expire: c.expire }); break
	case 'rtm_stream': Object.assign(q, { type: 'rtm', user: c.user, channel: c.stream, expire: c.expire }); break
	case 'rtc_rtm': Object.assign(q, { type: 'rtc_rtm', ...rtc, user: c.user, rtm_expire: c.rtmExpire }); break
	case 'convoai': case 'stt': Object.assign(q, { type: kind, ...rtc, user: c.user, rtm_expire: c.rtmExpire }); break
	case 'rtm2':
		c.perms = [[1, 0, [agoraStr(1, 20).replace(/[,;:]/g, 'x')]], [4, 1, ['u1', 'u2']]]
		Object.assign(q, { type: 'rtm2', user: c.user, expire: c.expire,
			permissions: c.perms.map(([rt, pt, n]) => `${rt}:${pt}:${n.join(',')}`).join(';') })
		break
	case 'streaming': case 'fcdn': Object.assign(q, { type: kind, channel: c.channel, ...id, expire: c.expire }); break
	case 'chat': Object.assign(q, { type: 'chat', user: c.user, expire: c.expire }); break
	}
	const ini = path.join(dir, 'token.ini')
	fs.writeFileSync(ini, `[app]\napp_id = ${c.appId}\napp_certificate = ${c.cert}\n[token]\nmin_expire = 1\n` +
		`services = rtc, rtm, rte, chat, rtc_rtm, rtm2, convoai, stt, streaming, fcdn\n`, { mode: 0o600 })
	const qs = Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')
	let r
	if (kind === 'path_rtc')
		r = cgiRun(ini, { REQUEST_METHOD: 'GET', PATH_INFO: `/rtc/${c.channel}/${c.role === 1 ? 'publisher' : 'subscriber'}/` +
			`${c.byUid ? 'uid' : 'userAccount'}/${c.account}`, QUERY_STRING: `expiry=${c.expire}` })
	else if (kind === 'post_rtm_stream') {
		const body = JSON.stringify({ TokenType: 'rtm', Uid: c.user, Channel: c.stream, Expire: c.expire })
		r = cgiRun(ini, { REQUEST_METHOD: 'POST', PATH_INFO: '/getToken', CONTENT_TYPE: 'application/json',
			CONTENT_LENGTH: String(Buffer.byteLength(body)) }, body)
	} else
		r = cgiRun(ini, { REQUEST_METHOD: 'GET', QUERY_STRING: qs })
	c.answer = r
	c.repro = `AGORA_TOKEN_CONFIG=<app ${c.appId}> QUERY_STRING='${qs}' ${SERVER}`
	return c
}

// npm's build of what the server built, with its issue time and salt
function npmForServer(c, tok, t) {
	const { appId: a, cert: k } = c
	const uid = c.account
	const E = c.expire, PE = kindPe(c)
	c.issueTs = t.issueTs
	c.salt = t.salt
	const stream = (ch, user, e) => {
		const x = new A2.AccessToken2(a, k, 0, e)
		const st = new A2.ServiceRtc(ch, user)
		st.add_privilege(1, e)
		st.add_privilege(4, e)
		x.add_service(st)
		const rtm = new A2.ServiceRtm(user)
		rtm.add_privilege(1, e)
		x.add_service(rtm)
		return x.build()
	}
	return npm007(c, () => {
		switch (c.kind) {
		case 'rtc': case 'path_rtc': case 'rte':
			if (tok === 'rtmToken')
				return stream(c.channel, c.user, E)
			return c.byUid ? npm.RtcTokenBuilder.buildTokenWithUid(a, k, c.channel, uid, c.role, E, PE)
				: npm.RtcTokenBuilder.buildTokenWithUserAccount(a, k, c.channel, uid, c.role, E, PE)
		case 'rtm': return npm.RtmTokenBuilder.buildToken(a, k, c.user, E)
		case 'rtm_stream': case 'post_rtm_stream': return stream(c.stream, c.user, E)
		case 'rtc_rtm': return npm.RtcTokenBuilder.buildTokenWithRtm2(a, k, c.channel, uid, c.role, E, PE, PE, PE, PE, c.user, c.rtmExpire)
		case 'convoai': case 'stt':
			return (c.kind === 'convoai' ? npm.ConvoAITokenBuilder : npm.SttTokenBuilder)
				.buildToken(a, k, c.channel, uid, c.role, E, PE, PE, PE, PE, c.user, c.rtmExpire)
		case 'rtm2': {
			const p = new npm.Rtm2Permissions()
			for (const [rt, pt, names] of c.perms)
				p.add(rt, pt, names)
			return npm.RtmTokenBuilder.buildTokenWithPermissions(a, k, c.user, p, E)
		}
		case 'streaming': case 'fcdn': {
			const x = new A2.AccessToken2(a, k, 0, E)
			const s = c.kind === 'streaming' ? new A2.ServiceStreaming(c.channel, uid) : new A2.ServiceFCdn(c.channel, uid)
			s.add_privilege(1, E)
			s.add_privilege(2, E)
			x.add_service(s)
			return x.build()
		}
		case 'chat': return npm.ChatTokenBuilder.buildUserToken(a, k, c.user, E)
		}
		return ''
	})
}
// the path route takes no privilege_expire: its privileges last the token's expire
const kindPe = c => (c.kind === 'path_rtc' ? c.expire : c.pe)

const ANSWER_KEYS = { rtc: ['rtcToken'], path_rtc: ['rtcToken'], rte: ['rtcToken', 'rtmToken'], rtm: ['rtmToken'],
	rtm_stream: ['rtmToken'], rtc_rtm: ['token'], rtm2: ['rtmToken'], convoai: ['convoaiToken'], stt: ['sttToken'],
	streaming: ['streamingToken'], fcdn: ['fcdnToken'], chat: ['chatToken'], post_rtm_stream: ['token'] }

function checkServer(c, r) {
	if (c.answer.status !== 200) {
		r('server: answers 200', `${c.answer.status} ${show(c.answer.json)}`)
		return
	}
	r('server: answers 200', null)
	for (const key of ANSWER_KEYS[c.kind]) {
		const tok = c.answer.json[key]
		const t = new A2.AccessToken2()
		if (!t.from_string(tok)) {
			r('server: npm parses the token', `${key}: ${tok}`)
			continue
		}
		r('server: npm parses the token', null)
		r('server: npm verifies the token', t.verifySignature(c.cert) ? null : key)
		const theirs = npmForServer(c, key, t)
		r('server: npm builds the same payload with its issue time and salt', inflate(tok).equals(inflate(theirs)) ? null
			: `${key}\nours ${inflate(tok).toString('hex')}\nnpm  ${inflate(theirs).toString('hex')}`)
	}
}

// ---- TAP ----
function main() {
	const results = new Map()    // "kind: check" -> { n, fails: [] }
	let n = 0
	const out = s => process.stdout.write(s + '\n')
	out(`# seed ${SEED} (rerun with INTEROP_SEED=${SEED}), ${CASES} cases`)
	const pkgs = [['agora-token', '2.0.6'], ['agora-access-token', '2.0.4']]
	for (const [name, v] of pkgs) {
		const got = require(`${name}/package.json`).version
		out(`${got === v ? 'ok' : 'not ok'} ${++n} - npm ${name} is the pinned ${v}${got === v ? '' : ' (found ' + got + ')'}`)
	}
	const kinds = Object.keys(KINDS)
	for (let i = 0; i < CASES; i++) {
		const c = KINDS[kinds[i % kinds.length]]()
		const r = (check, problem) => {
			const key = `${c.kind}: ${check}`
			if (!results.has(key))
				results.set(key, { n: 0, fails: [] })
			const e = results.get(key)
			e.n++
			if (problem)
				e.fails.push(`case ${i}: ${repro(c)}\n${problem}`)
		}
		try {
			(c.v006 ? check006 : check007)(c, r)
		} catch (e) {
			r('no exception', e.stack)
		}
	}
	if (SERVER) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'interop-'))
		try {
			for (let i = 0; i < Math.max(SERVER_KINDS.length, Math.floor(CASES / 3)); i++) {
				const kind = SERVER_KINDS[i % SERVER_KINDS.length]
				let c
				const r = (check, problem) => {
					const key = `server ${kind}: ${check}`
					if (!results.has(key))
						results.set(key, { n: 0, fails: [] })
					const e = results.get(key)
					e.n++
					if (problem)
						e.fails.push(`server case ${i}: ${c ? c.repro : ''}\n${problem}`)
				}
				try {
					c = serverCase(kind, dir)
					checkServer(c, r)
				} catch (e) {
					r('no exception', e.stack)
				}
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true })
		}
	}
	let failed = 0
	for (const [key, e] of [...results.entries()].sort()) {
		const good = e.fails.length === 0
		if (!good)
			failed++
		out(`${good ? 'ok' : 'not ok'} ${++n} - ${key} (${e.n - e.fails.length}/${e.n})`)
		for (const f of e.fails.slice(0, 3))
			out(f.split('\n').map(l => '#   ' + l).join('\n'))
	}
	out(`1..${n}`)
	process.exitCode = failed ? 1 : 0
}

main()
