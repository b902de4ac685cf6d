"""
Each euca2ools command's options, positionals and filters, as its argparse parser has them, as
JSON on stdout: python3 options.py EUCA2OOLS/bin COMMANDS.txt. Needs the runnable euca2ools that
reference.sh makes (on PYTHONPATH). A development tool: its output goes into the table fixture.
"""
import json, re, sys, os, argparse
bindir = sys.argv[1]
names = [l.split('\t')[0] for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')]
out = {}
for name in names:
    p = os.path.join(bindir, name)
    if not os.path.exists(p):
        continue
    src = open(p).read()
    m = re.search(r'^\s*(euca2ools\.[\w.]+)\.(\w+)\.run\(\)', src, re.M)
    if not m:
        out[name] = {"options": [], "positionals": [], "note": "no argument parser"}
        continue
    mod = __import__(m.group(1), fromlist=['x'])
    cls = getattr(mod, m.group(2))
    class Got(Exception):
        pass
    def grab(self, *a, **k):
        raise Got(self)
    argparse.ArgumentParser.parse_args = grab
    sys.argv = [name]
    try:
        cls(_do_cli=True)
        raise SystemExit('no parser for ' + name)
    except Got as g:
        parser = g.args[0]
    opts, pos = [], []
    groups = {}
    for g in parser._mutually_exclusive_groups:
        for a in g._group_actions:
            groups[id(a)] = [s for x in g._group_actions for s in x.option_strings[:1] or [x.dest]]
    for a in parser._actions:
        kind = type(a).__name__.replace('_', '').replace('Action', '').lower()
        if a.option_strings:
            takes = a.nargs != 0
            e = {'flags': a.option_strings}
            if takes:
                e['value'] = a.metavar if isinstance(a.metavar, str) else (a.dest.upper())
                if a.nargs not in (None,):
                    e['nargs'] = a.nargs
            if kind in ('append', 'appendconst'):
                e['repeat'] = True
            if a.required:
                e['required'] = True
            if a.choices:
                e['choices'] = list(a.choices)
            if a.help == argparse.SUPPRESS:
                e['hidden'] = True
            if id(a) in groups:
                e['exclusive'] = [x for x in groups[id(a)] if x != a.option_strings[0]]
            opts.append(e)
        else:
            e = {'name': a.metavar if isinstance(a.metavar, str) else a.dest.upper()}
            if a.nargs is not None:
                e['nargs'] = a.nargs
            pos.append(e)
    entry = {'options': opts, 'positionals': pos}
    filters = getattr(cls, 'FILTERS', None) or []
    if filters:
        fl = []
        for f in filters:
            d = {'name': f.name}
            if type(f).__name__ == 'GenericTagFilter':
                d = {'name': 'tag:KEY', 'prefix': 'tag:'}
            if f.choices:
                d['choices'] = list(f.choices)
            if f.type not in (str,):
                d['type'] = getattr(f.type, '__name__', str(f.type))
            fl.append(d)
        entry['filters'] = fl
    out[name] = entry
json.dump(out, sys.stdout, indent=1, sort_keys=True)
