# Lets euca2ools (Python 2 code, converted by 2to3) run on Python 3: hashes, HMACs and base64 take str where bytes are expected.
import hashlib, hmac, base64
def _b(x):
    return x.encode('utf-8') if isinstance(x, str) else x
for _n in ('sha1', 'sha256', 'md5'):
    _orig = getattr(hashlib, _n)
    class _W(object):
        def __init__(self, data=b'', _o=_orig):
            self._h = _o(_b(data))
        def update(self, d): self._h.update(_b(d))
        def digest(self): return self._h.digest()
        def hexdigest(self): return self._h.hexdigest()
        def copy(self):
            c = _W.__new__(_W); c._h = self._h.copy(); return c
        @property
        def name(self): return self._h.name
        @property
        def digest_size(self): return self._h.digest_size
        @property
        def block_size(self): return self._h.block_size
    setattr(hashlib, _n, (lambda o: (lambda data=b'': _W(data, o)))(_orig))
_hn = hmac.new
def _new(key, msg=None, digestmod=None):
    if digestmod in (hashlib.sha1,): digestmod = 'sha1'
    if digestmod in (hashlib.sha256,): digestmod = 'sha256'
    h = _hn(_b(key), _b(msg) if msg is not None else None, digestmod)
    class H(object):
        def update(self, d): h.update(_b(d))
        def digest(self): return h.digest()
        def hexdigest(self): return h.hexdigest()
    return H()
hmac.new = _new
_b64 = base64.b64encode
base64.b64encode = lambda s, *a: _b64(_b(s), *a).decode('ascii')
