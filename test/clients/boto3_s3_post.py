# Browser-form uploads (POST Object) against Walrus, with the forms boto3 makes for browsers
# (generate_presigned_post: Signature V4, and V2 with signature_version='s3'), posted as a browser
# posts them: the policy's conditions, content-length-range, extra fields, expiry, a bad signature,
# anonymous forms, success_action_status and _redirect, and encryption asked by a field.
import os
import boto3
import requests
from botocore.config import Config

url = os.environ['S3_URL']
v4 = boto3.client('s3', endpoint_url=url, region_name='eucalyptus',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
v2 = boto3.client('s3', endpoint_url=url, region_name='eucalyptus',
                  config=Config(signature_version='s3', s3={'addressing_style': 'path'}))


def error(r):
    if r.status_code < 300:
        return str(r.status_code)
    code = r.text.split('<Code>')[1].split('</Code>')[0] if '<Code>' in r.text else ''
    return '%d %s' % (r.status_code, code)


def form(client, key, fields, conditions, expires=600):
    return client.generate_presigned_post('forms', key, Fields=fields, Conditions=conditions, ExpiresIn=expires)


v4.create_bucket(Bucket='forms')
fields = {'acl': 'public-read', 'Content-Type': 'text/plain', 'x-amz-meta-who': 'browser',
          'success_action_status': '201'}
conditions = [{'acl': 'public-read'}, ['starts-with', '$Content-Type', 'text/'], {'x-amz-meta-who': 'browser'},
              {'success_action_status': '201'}, ['content-length-range', 1, 1000]]
post = form(v4, 'uploads/${filename}', fields, conditions)
r = requests.post(post['url'], data=post['fields'], files={'file': ('hello.txt', b'hello form')})
print('v4', r.status_code, '<Key>uploads/hello.txt</Key>' in r.text, r.headers.get('ETag') is not None)
got = v4.get_object(Bucket='forms', Key='uploads/hello.txt')
print('stored', got['Body'].read().decode(), got['ContentType'], got['Metadata'])
print('public read', requests.get(url + '/forms/uploads/hello.txt').status_code)

r = requests.post(post['url'], data=post['fields'], files={'file': ('big.txt', b'x' * 1001)})
print('too large', error(r))
r = requests.post(post['url'], data=post['fields'], files={'file': ('empty.txt', b'')})
print('too small', error(r))
r = requests.post(post['url'], data={**post['fields'], 'x-amz-meta-extra': 'x'}, files={'file': ('e.txt', b'e')})
print('extra field', error(r), 'Extra input fields: x-amz-meta-extra' in r.text)
r = requests.post(post['url'], data={**post['fields'], 'Content-Type': 'image/png'}, files={'file': ('p.png', b'p')})
print('condition failed', error(r))
bad = dict(post['fields'], **{'x-amz-signature': '0' * 64})
print('bad signature', error(requests.post(post['url'], data=bad, files={'file': ('b.txt', b'b')})))
old = form(v4, 'late', {}, [], expires=-60)
print('expired', error(requests.post(old['url'], data=old['fields'], files={'file': ('l.txt', b'l')})))

post = form(v2, 'v2/${filename}', {}, [['starts-with', '$key', 'v2/']])
r = requests.post(post['url'], data=post['fields'], files={'file': ('two.txt', b'signed v2')})
print('v2', r.status_code, sorted(k for k in post['fields'] if k != 'key'),
      v4.get_object(Bucket='forms', Key='v2/two.txt')['Body'].read().decode())

print('anonymous, private bucket', error(requests.post(url + '/forms', data={'key': 'anon'},
                                                        files={'file': ('a.txt', b'a')})))
v4.create_bucket(Bucket='forms-open', ACL='public-read-write')
r = requests.post(url + '/forms-open', data={'key': 'anon'}, files={'file': ('a.txt', b'anonymous')})
print('anonymous, open bucket', r.status_code, v4.get_object(Bucket='forms-open', Key='anon')['Body'].read().decode())

post = form(v4, 'redirected', {'success_action_redirect': 'http://example.com/done?x=1'},
            [{'success_action_redirect': 'http://example.com/done?x=1'}])
r = requests.post(post['url'], data=post['fields'], files={'file': ('r.txt', b'r')}, allow_redirects=False)
print('redirect', r.status_code, r.headers['Location'].startswith('http://example.com/done?x=1&bucket=forms&key=redirected&etag='))
post = form(v4, 'sealed', {'x-amz-server-side-encryption': 'AES256'}, [{'x-amz-server-side-encryption': 'AES256'}])
r = requests.post(post['url'], data=post['fields'], files={'file': ('s.txt', b's')})
print('sealed', r.status_code, r.headers.get('x-amz-server-side-encryption'),
      v4.head_object(Bucket='forms', Key='sealed')['ServerSideEncryption'])
post = form(v4, 'locked', {'x-amz-object-lock-mode': 'GOVERNANCE'}, [{'x-amz-object-lock-mode': 'GOVERNANCE'}])
print('lock asked', error(requests.post(post['url'], data=post['fields'], files={'file': ('k.txt', b'k')})))
print('not multipart', error(requests.post(url + '/forms', data=b'x', headers={'Content-Type': 'text/plain'})))
post = form(v4, 'tagged', {'tagging': '<Tagging><TagSet><Tag><Key>team</Key><Value>red</Value></Tag></TagSet></Tagging>',
                           'x-amz-tagging': 'team=blue'},
            [['starts-with', '$tagging', ''], ['starts-with', '$x-amz-tagging', '']])
print('x-amz-tagging field', error(requests.post(post['url'], data=post['fields'], files={'file': ('t.txt', b't')})))
post = form(v4, 'bad-header', {'Cache-Control': 'no-cache\r\nX-Injected: 1'}, [['starts-with', '$Cache-Control', '']])
print('header with CR LF', error(requests.post(post['url'], data=post['fields'], files={'file': ('h.txt', b'h')})))
import base64, hmac, hashlib
sig = base64.b64encode(hmac.new(os.environ['AWS_SECRET_ACCESS_KEY'].encode(), b'bnVsbA==', hashlib.sha1).digest())
r = requests.post(url + '/forms', data={'key': 'n', 'AWSAccessKeyId': os.environ['AWS_ACCESS_KEY_ID'],
                                        'policy': 'bnVsbA==', 'signature': sig}, files={'file': ('n.txt', b'n')})
print('policy null', error(r))
# Every field sent as a file part with a file name, as some clients (python-requests' files=) send them.
post = form(v4, 'as-files', {}, [])
parts = {k: (k, v) for k, v in post['fields'].items()}
parts['file'] = ('f.txt', b'fields as files')
r = requests.post(post['url'], files=parts)
import sys; print(r.status_code, r.text, file=sys.stderr)
print('fields as file parts', r.status_code, v4.get_object(Bucket='forms', Key='as-files')['Body'].read().decode())
post = form(v4, '${filename}', {}, [['starts-with', '$key', 'foo']])
r = requests.post(post['url'], data=post['fields'], files={'file': ('foo.txt', b'named by its file')})
print('key from the file name', r.status_code, v4.get_object(Bucket='forms', Key='foo.txt')['Body'].read().decode())
