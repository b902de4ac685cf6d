"""
The euca2ools table fixture (test/fixtures/euca2ools-table.json): per command, its options,
positionals and filters (options.py's output) and the records it prints (records.py's), with the
lines the seeds print standing where they differ from euca2ools 3 (SEED_RECORDS: the seeds are
the spec). python3 build.py OPTIONS.json RECORDS.json NOTES.json > test/fixtures/euca2ools-table.json
"""
import json
import sys

SOURCE = 'eucalyptus/euca2ools at 6b3f62f2 (3.4) and boto/requestbuilder at b4ff332'

# Seed 000 prints `GROUP owner name description` and `PERMISSION owner name ALLOWS proto from to
# FROM CIDR cidr`, without euca2ools 3's group ID, VPC and direction fields.
SEED_PERMISSION = ['ownerId', 'groupName', '=ALLOWS', 'ipProtocol', 'fromPort', 'toPort', '=FROM']
SEED_RECORDS = {
    'euca-describe-groups': [
        {'type': 'GROUP', 'fields': ['ownerId', 'groupName', 'groupDescription'], 'spec': 'seed 000'},
        {'type': 'PERMISSION', 'fields': SEED_PERMISSION + ['=CIDR', 'ipRanges.cidrIp'], 'optional': True,
         'when': 'one per ipRanges entry of each rule', 'spec': 'seed 000'},
        {'type': 'PERMISSION',
         'fields': SEED_PERMISSION + ['=USER', 'groups.userId', '=NAME', 'groups.groupName', '=ID', 'groups.groupId'],
         'optional': True, 'when': 'per source group of a rule (NAME and ID each when known)',
         'spec': 'seed 000 (euca2ools 3 for the source group)'},
        {'type': 'TAG', 'fields': ['resourceType', 'resourceId', 'key', 'value'], 'optional': True,
         'when': "for each tag in the group's tagSet"},
    ],
}
SEED_RECORDS['euca-describe-group'] = SEED_RECORDS['euca-describe-groups']

# euca2ools 3 sends (and prints) CidrIp 0.0.0.0/0 with -o as well, opening the port to everyone
# besides the source group; this toolkit sends and prints the source group alone.
RULE_BASE = ['group', '=ALLOWS', 'ipProtocol', 'fromPort', 'toPort']
RULE_RECORDS = [
    {'type': 'GROUP', 'fields': ['group']},
    {'type': 'PERMISSION', 'fields': RULE_BASE + ['=FROM', '=CIDR', 'cidrIp'], 'when': 'a CIDR rule (-s, or no -o)'},
    {'type': 'PERMISSION', 'fields': RULE_BASE + ['=USER', 'userId', '=NAME', 'sourceGroupName'],
     'when': '-o GROUPNAME -u ACCOUNT', 'spec': 'euca2ools 3 without its extra FROM CIDR 0.0.0.0/0'},
    {'type': 'PERMISSION', 'fields': RULE_BASE + ['=USER', 'userId', '=ID', 'sourceGroupId'],
     'when': '-o sg-ID -u ACCOUNT', 'spec': 'euca2ools 3 without its extra FROM CIDR 0.0.0.0/0'},
    {'type': 'PERMISSION', 'fields': RULE_BASE + ['=ID', 'sourceGroupId'],
     'when': '-o sg-ID', 'spec': 'euca2ools 3 without its extra FROM CIDR 0.0.0.0/0'},
]
SEED_RECORDS['euca-authorize'] = RULE_RECORDS
# Seed 000 prints `INSTANCE i-...` after euca-terminate-instances, without the two states.
SEED_RECORDS['euca-terminate-instances'] = [
    {'type': 'INSTANCE', 'fields': ['instanceId'], 'when': 'one per instance', 'spec': 'seed 000'},
]
SEED_RECORDS['euca-revoke'] = RULE_RECORDS


def main(options_file, records_file, notes_file):
    options = json.load(open(options_file))
    records = json.load(open(records_file))
    notes = json.load(open(notes_file))
    commands = {}
    for name in sorted(options):
        entry = dict(options[name])
        entry['records'] = SEED_RECORDS.get(name, records[name])
        for r in entry['records']:
            # Records of `Label value` pairs, each pair printed only when its value is set.
            if 'type' in r and 'pair' in r.get('note', '') and 'only when' in r.get('note', ''):
                r['pairs'] = True
        if name == 'euca-describe-instance-types':
            # 'INSTANCETYPE', a tab, then one fixed-width row: its columns are not tab fields.
            for r in entry['records']:
                if r.get('type') == 'INSTANCETYPE':
                    r['layout'] = 'fixed-width'
        entry['note'] = notes[name]
        commands[name] = entry
    json.dump({'source': SOURCE, 'commands': commands}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main(*sys.argv[1:4])
