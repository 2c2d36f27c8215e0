#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""jwt.py - the tests' own JWT maker: keys by the openssl command, JWKs from them, tokens signed by
openssl (RSA, PSS, ECDSA, Ed25519) or Python's hmac, and the hostile corpus for tests/jwt.t.

  jwt.py keys DIR                       keys and DIR/jwks.json (kids rsa1 rsa2 ec256 ec384 ed1)
  jwt.py jwks DIR KID...                a JWKS of those keys on stdout
  jwt.py sign DIR ALG KID CLAIMS [HDR]  one token (KID "-": none; ALG HS*: KID is the secret)
  jwt.py corpus DIR ISS AUD             "code name token" lines: tokens this server must refuse
"""
import base64, hashlib, hmac, json, os, subprocess, sys, tempfile, time

KEYS = {"rsa1": ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "rsa2": ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "ec256": ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "ec384": ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "ed1": ["genpkey", "-algorithm", "ED25519"]}
DIR = "."


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def ossl(args, data=None):
    return subprocess.run(["openssl"] + args, input=data, capture_output=True, check=True).stdout


def key(kid):
    return os.path.join(DIR, kid + ".pem")


def make_keys():
    for kid, args in KEYS.items():
        if not os.path.exists(key(kid)):
            ossl(args + ["-out", key(kid)])
        ossl(["pkey", "-in", key(kid), "-pubout", "-out", os.path.join(DIR, kid + ".pub")])
    with open(os.path.join(DIR, "jwks.json"), "w") as f:
        f.write(jwks(list(KEYS)))


def jwk(kid):
    der = ossl(["pkey", "-in", key(kid), "-pubout", "-outform", "DER"])
    if kid.startswith("rsa"):
        mod = ossl(["rsa", "-in", key(kid), "-noout", "-modulus"]).decode().strip().split("=")[1]
        return {"kty": "RSA", "kid": kid, "use": "sig", "n": b64(bytes.fromhex(mod)), "e": "AQAB"}
    if kid.startswith("ec"):
        size = 32 if kid == "ec256" else 48
        pt = der[-(2 * size + 1):]
        return {"kty": "EC", "kid": kid, "crv": "P-256" if size == 32 else "P-384",
                "x": b64(pt[1:1 + size]), "y": b64(pt[1 + size:])}
    return {"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(der[-32:])}


def jwks(kids):
    return json.dumps({"keys": [jwk(k) for k in kids]})


def der_to_raw(der, size):
    # SEQUENCE { INTEGER r, INTEGER s }, lengths below 128 for P-256/P-384
    i = 2 if der[1] < 0x80 else 3
    out = b""
    for _ in range(2):
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\0")
        out += v.rjust(size, b"\0")
        i += 2 + n
    return out


def signature(alg, kid, msg):
    md = "-sha" + (alg[2:] if alg[2:] in ("256", "384", "512") else "256")
    if alg.startswith("HS"):
        return hmac.new(kid.encode(), msg, getattr(hashlib, "sha" + alg[2:])).digest()
    if alg.startswith("RS"):
        return ossl(["dgst", md, "-sign", key(kid)], msg)
    if alg == "PS256":
        return ossl(["dgst", md, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
                     "-sign", key(kid)], msg)
    if alg.startswith("ES"):
        return der_to_raw(ossl(["dgst", md, "-sign", key(kid)], msg), 32 if alg == "ES256" else 48)
    if alg == "EdDSA":
        with tempfile.NamedTemporaryFile() as f:
            f.write(msg)
            f.flush()
            return ossl(["pkeyutl", "-sign", "-inkey", key(kid), "-rawin", "-in", f.name])
    return b""


def segment(obj):
    return b64(obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode())


def sign(alg, kid, claims, header=None, sign_alg=None, sign_kid=None):
    """claims/header: dicts, or bytes taken as they are. sign_*: sign with another alg or key."""
    if header is None:
        header = {"alg": alg, "typ": "JWT"}
        if kid != "-" and not alg.startswith("HS"):
            header["kid"] = kid
    msg = (segment(header) + "." + segment(claims)).encode()
    sig = signature(sign_alg or alg, sign_kid or kid, msg)
    return msg.decode() + "." + b64(sig)


def corpus(iss, aud):
    now = int(time.time())
    good = {"iss": iss, "aud": aud, "sub": "alice", "exp": now + 7200, "iat": now}

    def c(**kw):
        d = dict(good)
        for k, v in kw.items():
            if v is None:
                d.pop(k, None)
            else:
                d[k] = v
        return d

    def raw(s):
        return s.encode()

    pub = open(os.path.join(DIR, "rsa1.pub"), "rb").read()
    rs = lambda claims, **kw: sign("RS256", "rsa1", claims, **kw)
    ok = rs(good)
    h, p, s = ok.split(".")
    out = []

    def add(code, name, tok):
        out.append((code, name, tok))

    add("invalid_token", "alg-none-empty-sig", segment({"alg": "none"}) + "." + segment(good) + ".")
    add("invalid_token", "alg-none-with-sig", segment({"alg": "none", "kid": "rsa1"}) + "." + segment(good) + "." + s)
    add("invalid_token", "alg-None", segment({"alg": "None"}) + "." + segment(good) + "." + s)
    add("invalid_token", "alg-null", segment({"alg": None}) + "." + p + "." + s)
    add("invalid_token", "alg-missing", segment({"kid": "rsa1"}) + "." + p + "." + s)
    add("invalid_token", "alg-lowercase", rs(good, header={"alg": "rs256", "kid": "rsa1"}))
    add("invalid_token", "alg-unknown", rs(good, header={"alg": "RS1024", "kid": "rsa1"}))
    # algorithm confusion: the RSA public key as an HMAC secret
    hs_hdr = {"alg": "HS256", "kid": "rsa1"}
    msg = (segment(hs_hdr) + "." + segment(good)).encode()
    add("invalid_token", "hs256-with-rsa-public-pem", msg.decode() + "." + b64(hmac.new(pub, msg, hashlib.sha256).digest()))
    msg = (segment({"alg": "HS256"}) + "." + segment(good)).encode()
    add("invalid_token", "hs256-with-rsa-public-pem-nokid", msg.decode() + "." + b64(hmac.new(pub, msg, hashlib.sha256).digest()))
    add("invalid_token", "es256-header-rsa-kid", sign("ES256", "rsa1", good, header={"alg": "ES256", "kid": "rsa1"}, sign_kid="ec256"))
    add("invalid_token", "rs256-header-ec-kid", sign("RS256", "ec256", good, header={"alg": "RS256", "kid": "ec256"}, sign_kid="rsa1"))
    add("invalid_token", "eddsa-header-rsa-kid", sign("EdDSA", "rsa1", good, header={"alg": "EdDSA", "kid": "rsa1"}, sign_kid="ed1"))
    add("invalid_token", "ps256-signed-as-rs256", sign("PS256", "rsa1", good, sign_alg="RS256"))
    add("invalid_token", "rs512-header-rs256-sig", sign("RS512", "rsa1", good, sign_alg="RS256"))
    add("invalid_token", "es384-header-es256-sig", sign("ES384", "ec384", good, sign_alg="ES256", sign_kid="ec256"))
    # kid
    add("unknown_key", "kid-dotdot", rs(good, header={"alg": "RS256", "kid": "../../../../etc/passwd"}))
    add("unknown_key", "kid-absent-from-set", rs(good, header={"alg": "RS256", "kid": "nope"}))
    add("unknown_key", "no-kid-two-rsa-keys", rs(good, header={"alg": "RS256"}))
    add("invalid_token", "kid-10kb", rs(good, header={"alg": "RS256", "kid": "k" * 10240}))
    add("invalid_token", "kid-300-bytes", rs(good, header={"alg": "RS256", "kid": "k" * 300}))
    add("invalid_token", "kid-with-space", rs(good, header={"alg": "RS256", "kid": "rsa 1"}))
    add("invalid_token", "kid-with-newline", rs(good, header={"alg": "RS256", "kid": "rsa1\n"}))
    add("invalid_token", "kid-number", rs(good, header={"alg": "RS256", "kid": 1}))
    add("invalid_token", "kid-empty", rs(good, header={"alg": "RS256", "kid": ""}))
    add("invalid_token", "crit-header", rs(good, header={"alg": "RS256", "kid": "rsa1", "crit": ["exp"]}))
    # shape
    add("invalid_token", "one-segment", h)
    add("invalid_token", "four-segments", ok + "." + s)
    add("invalid_token", "five-segments", ok + ".." + s)
    add("invalid_token", "dots-only", "..")
    add("invalid_token", "empty-header", "." + p + "." + s)
    add("invalid_token", "empty-payload", h + ".." + s)
    add("invalid_token", "empty-signature", h + "." + p + ".")
    add("invalid_token", "header-padded", h + "==." + p + "." + s)
    add("invalid_token", "payload-padded", h + "." + p + "=." + s)
    add("invalid_token", "signature-padded", ok + "=")
    add("invalid_token", "signature-std-base64", h + "." + p + "." + s.replace("-", "+").replace("_", "/") + "+/")
    add("invalid_token", "payload-space", h + "." + p[:10] + " " + p[10:] + "." + s)
    add("invalid_token", "header-1-mod-4", h + "A." + p + "." + s)
    add("invalid_token", "signature-truncated", ok[:-10])
    add("invalid_token", "signature-one-bit", h + "." + p + "." + ("B" if s[0] == "A" else "A") + s[1:])
    add("invalid_token", "payload-changed-after-signing", h + "." + segment(c(sub="mallory")) + "." + s)
    add("invalid_token", "signed-by-other-key", rs(good, header={"alg": "RS256", "kid": "rsa1"}, sign_kid="rsa2"))
    add("invalid_token", "header-not-json", b64(b"{alg:RS256}") + "." + p + "." + s)
    add("invalid_token", "payload-not-json", h + "." + b64(b"sub=alice") + "." + s)
    add("invalid_token", "header-array", b64(b'["RS256"]') + "." + p + "." + s)
    add("invalid_token", "payload-string", rs(b'"alice"'))
    add("invalid_token", "payload-trailing-garbage", rs(json.dumps(good).encode() + b" x"))
    add("invalid_token", "payload-duplicate-sub", rs(json.dumps(good)[:-1].encode() + b',"sub":"mallory"}'))
    add("invalid_token", "header-duplicate-alg", rs(good, header=b'{"alg":"RS256","kid":"rsa1","alg":"none"}'))
    add("invalid_token", "payload-nul", rs(json.dumps(c(sub="al\u0000ice")).encode()))
    add("invalid_token", "payload-bad-utf8", rs(json.dumps(good)[:-1].encode() + b',"x":"\xff\xfe"}'))
    add("invalid_token", "payload-nested-2500", rs(json.dumps(good)[:-1].encode() + b',"x":' + b"[" * 2500 + b"]" * 2500 + b"}"))
    add("invalid_token", "exp-2^64", rs(json.dumps(c(exp=None))[:-1].encode() + b',"exp":18446744073709551616}'))
    add("invalid_token", "aud-array-10000", rs(c(aud=["x"] * 9999 + [aud])))
    add("invalid_token", "larger-than-8k", rs(c(pad="p" * 9000)))
    # claims
    add("invalid_claims", "exp-string", rs(c(exp=str(now + 7200))))
    add("invalid_claims", "exp-null", rs(json.dumps(c(exp=None))[:-1].encode() + b',"exp":null}'))
    add("invalid_claims", "exp-missing", rs(c(exp=None)))
    add("invalid_claims", "exp-2^63", rs(c(exp=2 ** 63 - 1)))
    add("invalid_claims", "exp-negative", rs(c(exp=-1)))
    add("invalid_claims", "exp-1e300", rs(json.dumps(c(exp=None))[:-1].encode() + b',"exp":1e300}'))
    add("invalid_claims", "exp-true", rs(c(exp=True)))
    add("token_expired", "expired-1s-past-leeway", rs(c(exp=now - 61, iat=now - 3600)))
    add("token_expired", "expired-long-ago", rs(c(exp=1000000000, iat=999990000)))
    add("invalid_claims", "nbf-future", rs(c(nbf=now + 3600)))
    add("invalid_claims", "nbf-string", rs(c(nbf="0")))
    add("invalid_claims", "iat-future", rs(c(iat=now + 3600)))
    add("invalid_claims", "iss-other", rs(c(iss="https://evil.test/")))
    add("invalid_claims", "iss-missing", rs(c(iss=None)))
    add("invalid_claims", "iss-prefix", rs(c(iss=iss.rstrip("/"))))
    add("invalid_claims", "iss-array", rs(c(iss=[iss])))
    add("invalid_claims", "aud-other", rs(c(aud="another-app")))
    add("invalid_claims", "aud-missing", rs(c(aud=None)))
    add("invalid_claims", "aud-number", rs(c(aud=7)))
    add("invalid_claims", "aud-array-without", rs(c(aud=["a", "b"])))
    add("invalid_claims", "aud-array-40", rs(c(aud=["x"] * 39 + [aud])))
    add("invalid_claims", "aud-array-mixed", rs(c(aud=[1, aud])))
    add("invalid_claims", "sub-empty", rs(c(sub="")))
    add("invalid_claims", "sub-missing", rs(c(sub=None)))
    add("invalid_claims", "sub-number", rs(c(sub=12345)))
    add("invalid_claims", "sub-object", rs(c(sub={"id": "alice"})))
    return out


def main():
    global DIR
    cmd, DIR = sys.argv[1], sys.argv[2]
    if cmd == "keys":
        make_keys()
    elif cmd == "jwks":
        print(jwks(sys.argv[3:]))
    elif cmd == "sign":
        alg, kid, claims = sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
        header = json.loads(sys.argv[6]) if len(sys.argv) > 6 else None
        print(sign(alg, kid, claims, header))
    elif cmd == "corpus":
        for code, name, tok in corpus(sys.argv[3], sys.argv[4]):
            print(code, name, tok)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
