"""
What each euca2ools command prints: its record types and their fields in order, read from
euca2ools 3's printers (print_result and the shared printers in euca2ools/commands/*/__init__.py).
python3 records.py OPTIONS.json RECORDS.json NOTES.json: checks every command of OPTIONS.json has
an entry, and writes the records and a note per command. A development tool: build.py merges its
output into the table fixture.
"""
import json
import sys
R = {}; N = {}

def T(type_, fields, **kw):
    d = {"type": type_, "fields": fields}
    d.update(kw); return d
def L(desc, **kw):
    d = {"line": desc}; d.update(kw); return d
def LS(desc, **kw):
    d = {"lines": desc}; d.update(kw); return d

TAG_FIELDS = ["resourceType", "resourceId", "key", "value"]
TAG_NOTE = "resourceType is computed client-side from the resource ID prefix (e.g. i- -> instance, vol- -> volume, sg- -> security-group; empty if unknown)"
def TAG(owner, **kw):
    d = T("TAG", TAG_FIELDS, optional=True, when="for each tag in the %s's tagSet" % owner, note=TAG_NOTE)
    d.update(kw); return d

INSTANCE_FIELDS = ["instanceId", "imageId", "dnsName", "privateDnsName", "instanceState.name",
    "keyName", "amiLaunchIndex", "productCodes", "instanceType", "launchTime",
    "placement.availabilityZone", "kernelId", "ramdiskId", "platform", "monitoring",
    "ipAddress", "privateIpAddress", "vpcId", "subnetId", "rootDeviceType",
    "instanceLifecycle", "showInstanceRequestId", "license", "placement.groupName",
    "virtualizationType", "hypervisor", "clientToken", "groupIds", "placement.tenancy",
    "ebsOptimized", "iamInstanceProfile.arn", "architecture"]
assert len(INSTANCE_FIELDS) == 32

def instance_records():
    return [
        T("INSTANCE", INSTANCE_FIELDS, note="productCodes = productCodes[].productCode joined with ','; monitoring = 'monitoring-' + monitoring.state (empty if no monitoring element); showInstanceRequestId is read literally under that (misspelled) key, so it is effectively always empty; license is always empty (placeholder); groupIds = groupSet[].groupId joined with ','"),
        T("BLOCKDEVICE", ["deviceName", "ebs.volumeId", "ebs.attachTime", "ebs.deleteOnTermination", "ebs.volumeType", "ebs.iops"], optional=True, when="for each entry of the instance's blockDeviceMapping"),
        T("NETWORKINTERFACE", ["networkInterfaceId", "subnetId", "vpcId", "ownerId", "status", "privateIpAddress", "privateDnsName", "sourceDestCheck"], optional=True, when="for each entry of the instance's networkInterfaceSet (VPC); the following ATTACHMENT/ASSOCIATION/GROUP/PRIVATEIPADDRESS/TAG lines belong to this interface"),
        T("ATTACHMENT", ["attachment.instanceId", "attachment.attachmentId", "attachment.deviceIndex", "attachment.status", "attachment.attachTime", "attachment.deleteOnTermination"], optional=True, when="interface has an attachment element"),
        T("ASSOCIATION", ["association.publicIp", "association.ipOwnerId", "privateIpAddress"], optional=True, when="interface has an association element", note="privateIpAddress is taken from the privateIpAddressesSet entry whose association.publicIp equals association.publicIp (euca2ools raises an error if no entry matches)"),
        T("GROUP", ["groupId", "groupName"], optional=True, when="for each entry of the interface's groupSet"),
        T("PRIVATEIPADDRESS", ["privateIpAddress", "privateDnsName", "primary"], optional=True, when="for each entry of the interface's privateIpAddressesSet", note="primary is the literal 'primary' when primary=='true', else empty"),
        TAG("network interface"),
        TAG("instance"),
    ]

def reservation_records(when=None):
    recs = [T("RESERVATION", ["reservationId", "ownerId", "groupNames"], note="groupNames = for each groupSet entry groupName (or groupId) joined with ', '")]
    recs += instance_records()
    recs[1]["note"] = recs[1]["note"] + "; instances of a reservation are printed sorted by launchTime, each followed by its BLOCKDEVICE/NETWORKINTERFACE.../TAG lines"
    return recs

ATTACHMENT_VOL = T("ATTACHMENT", ["volumeId", "instanceId", "device", "status", "attachTime"])
BUNDLE = T("BUNDLE", ["bundleId", "instanceId", "storage.S3.bucket", "storage.S3.prefix", "startTime", "updateTime", "state", "progress", "manifest"], note="manifest = '<bucket>/<prefix>.manifest.xml' (empty unless both bucket and prefix are present)")

def conv_task_records():
    return [
        T("TaskType", ["=IMPORTVOLUME", "=TaskId", "conversionTaskId", "=ExpirationTime", "expirationTime", "=Status", "state", "=StatusMessage", "statusMessage"],
          when="task has importVolume", note="key/value pairs: each (label, value) pair is appended only when the value is non-empty, so positions shift; the line starts with the literal 'TaskType'"),
        T("DISKIMAGE", ["=DiskImageFormat", "importVolume.image.format", "=DiskImageSize", "importVolume.image.size", "=VolumeId", "importVolume.volume.id", "=VolumeSize", "importVolume.volume.size", "=AvailabilityZone", "importVolume.availabilityZone", "=ApproximateBytesConverted", "importVolume.bytesConverted", "=Status", "importVolume.status", "=StatusMessage", "importVolume.statusMessage"],
          when="task has importVolume (one line, right after the TaskType line)", note="each (label, value) pair appended only when the value is non-empty"),
        T("TaskType", ["=IMPORTINSTANCE", "=TaskId", "conversionTaskId", "=ExpirationTime", "expirationTime", "=Status", "state", "=StatusMessage", "statusMessage", "=InstanceID", "importInstance.instanceId"],
          when="task has importInstance", note="each (label, value) pair appended only when the value is non-empty"),
        T("DISKIMAGE", ["=DiskImageFormat", "image.format", "=DiskImageSize", "image.size", "=VolumeId", "volume.id", "=VolumeSize", "volume.size", "=AvailabilityZone", "availabilityZone", "=ApproximateBytesConverted", "bytesConverted", "=Status", "status", "=StatusMessage", "statusMessage"],
          optional=True, when="task has importInstance: one line per entry of importInstance.volumes", note="each (label, value) pair appended only when the value is non-empty"),
    ]

VOLUME_FULL = T("VOLUME", ["volumeId", "size", "snapshotId", "availabilityZone", "status", "createTime", "volumeType", "iops"], note="volumeType defaults to 'standard' when absent")
SNAPSHOT_FULL = T("SNAPSHOT", ["snapshotId", "volumeId", "status", "startTime", "progress", "ownerId", "volumeSize", "description"])
CONFIGFILE = LS("euca2ools.ini(5) configuration file text: a '[region <name>]' section with <service>-url entries (and verify-tls/verify-ssl, user when -l) and a '[user <account-id>:<user>]' section with key-id, secret-key, account-id", when="-w/--write-config")

# ---------------- IAM ----------------
for c in ["euare-accountaliascreate", "euare-accountaliasdelete", "euare-accountdel", "euare-groupadduser",
          "euare-groupdelpolicy", "euare-groupmod", "euare-groupremoveuser", "euare-groupuploadpolicy",
          "euare-useraddloginprofile", "euare-userdelcert", "euare-userdelkey", "euare-userdelloginprofile",
          "euare-userdelpolicy", "euare-usermod", "euare-usermodcert", "euare-usermodkey",
          "euare-usermodloginprofile", "euare-useruploadpolicy"]:
    R[c] = []
N["euare-accountaliascreate"] = "Prints nothing on success."
N["euare-accountaliasdelete"] = "Prints nothing on success."
N["euare-accountdel"] = "Prints nothing on success; -r/--recursive only adds Recursive=true to the request."
N["euare-groupadduser"] = "Prints nothing on success."
N["euare-groupdelpolicy"] = "Prints nothing on success."
N["euare-groupmod"] = "Prints nothing on success."
N["euare-groupremoveuser"] = "Prints nothing; sends one RemoveUserFromGroup request per -u user."
N["euare-groupuploadpolicy"] = "Prints nothing on success."
N["euare-useraddloginprofile"] = "Prints nothing; prompts for the password (on the terminal) when -p is not given."
N["euare-userdelcert"] = "Prints nothing on success."
N["euare-userdelkey"] = "Prints nothing on success."
N["euare-userdelloginprofile"] = "Prints nothing on success."
N["euare-userdelpolicy"] = "Prints nothing on success."
N["euare-usermod"] = "Prints nothing on success."
N["euare-usermodcert"] = "Prints nothing on success."
N["euare-usermodkey"] = "Prints nothing on success."
N["euare-usermodloginprofile"] = "Prints nothing; prompts for the password when -p is not given."
N["euare-useruploadpolicy"] = "Prints nothing on success."

R["euare-accountaliaslist"] = [L("'Alias: <alias>'", optional=True, when="one line per entry of AccountAliases")]
N["euare-accountaliaslist"] = "Each alias printed as 'Alias: ' + alias (colon, one space); no pagination is followed."

R["euare-accountcreate"] = [
    L("account name and ID, tab-separated (no record keyword)", fields=["Account.AccountName", "Account.AccountId"], when="not -w"),
    L("AccessKey.AccessKeyId", optional=True, when="-k/--create-accesskey (and not -w)"),
    L("AccessKey.SecretAccessKey", optional=True, when="-k/--create-accesskey (and not -w)"),
    CONFIGFILE,
]
N["euare-accountcreate"] = "With -k or -w also calls CreateAccessKey for the new account's 'admin' user (and GetUser for the account ID); -w replaces all normal output with an INI config file (warnings about missing domain go to stderr). The name/ID line is tabified (--show-empty-fields applies)."

R["euare-accountgetsummary"] = [L("'<key>: <value>'", optional=True, when="one line per SummaryMap entry")]
N["euare-accountgetsummary"] = "Entries are sorted (by entry dict, i.e. effectively by key name under Python 2) and printed as 'key: value'."

R["euare-accountlist"] = [L("account name and ID, tab-separated (no record keyword)", fields=["AccountName", "AccountId"], optional=True, when="one line per entry of Accounts")]
N["euare-accountlist"] = "Tab-separated pairs without a leading keyword, in server order; --show-empty-fields applies."

R["euare-getcallerid"] = [LS("'<name> = <value>' lines sorted by name: account, arn, key-id, user-id (only non-empty values)",
    note="names are the response keys (Account, Arn, UserId) converted to lower-case hyphenated form, plus key-id = the access key ID in use")]
N["euare-getcallerid"] = "Uses STS GetCallerIdentity; merges the local access key ID into the output and sorts lines alphabetically by name, skipping empty values."

R["euare-groupaddpolicy"] = [L("policy document JSON (single line, as generated)", optional=True, when="-o/--output")]
N["euare-groupaddpolicy"] = "Builds the policy client-side and sends PutGroupPolicy; prints the generated JSON only with -o."
R["euare-useraddpolicy"] = [L("policy document JSON (single line, as generated)", optional=True, when="-o/--output")]
N["euare-useraddpolicy"] = "Builds the policy client-side and sends PutUserPolicy; prints the generated JSON only with -o."

R["euare-groupcreate"] = [L("Group.Arn", optional=True, when="-v/--verbose"), L("Group.GroupId", optional=True, when="-v/--verbose")]
N["euare-groupcreate"] = "Silent unless -v/--verbose, which prints the ARN then the group ID on separate lines."

R["euare-groupdel"] = [
    L("'users'", optional=True, when="-p/--pretend"),
    LS("TAB + user Arn, one per group member", optional=True, when="-p/--pretend"),
    L("'policies'", optional=True, when="-p/--pretend"),
    LS("TAB + policy name, one per group policy", optional=True, when="-p/--pretend"),
]
N["euare-groupdel"] = "Silent normally; -r/-p first call GetGroup and ListGroupPolicies (-r then removes users/policies before DeleteGroup), and -p prints what would be deleted without deleting."

POLICYDOC = L("policy document (URL-decoded; re-indented with 4-space JSON indentation when --pretty-print)")
R["euare-groupgetpolicy"] = [POLICYDOC]
N["euare-groupgetpolicy"] = "Prints the URL-unquoted PolicyDocument verbatim; --pretty-print re-serialises it with json indent=4."
R["euare-usergetpolicy"] = [POLICYDOC]
N["euare-usergetpolicy"] = "Prints the URL-unquoted PolicyDocument verbatim; --pretty-print re-serialises it with json indent=4."

R["euare-grouplistbypath"] = [L("'groups'"), LS("three spaces + group Arn, one per group", optional=True)]
N["euare-grouplistbypath"] = "Follows Marker pagination and prints 'groups' then each ARN indented by three spaces (print('  ', arn))."

R["euare-grouplistpolicies"] = [
    LS("policy name, one per line", when="no -p"),
    LS("policy document after each name (as euare-groupgetpolicy prints it)", optional=True, when="-v/--verbose"),
    L("the matching policy name, or its document instead of the name when -v", optional=True, when="-p POLICY (only if it exists)"),
]
N["euare-grouplistpolicies"] = "Follows pagination; -v makes one GetGroupPolicy request per policy and prints its document after the name (--pretty-print indents); -p filters client-side and with -v prints only the document. Unlike euare-userlistpolicies it does NOT print an 'IsTruncated: false' line."

R["euare-grouplistusers"] = [L("Group.Arn"), L("'   users' (three spaces + 'users')"), LS("three spaces + user Arn, one per member", optional=True)]
N["euare-grouplistusers"] = "GetGroup with Marker pagination; lines are indented with print('  ', x) i.e. three spaces."

R["euare-useraddcert"] = [L("Certificate.CertificateId")]
N["euare-useraddcert"] = "Prints only the new certificate ID."

R["euare-useraddkey"] = [L("AccessKey.AccessKeyId", when="not -w"), L("AccessKey.SecretAccessKey", when="not -w"), CONFIGFILE]
N["euare-useraddkey"] = "-w/--write-config replaces the two lines with an INI config file (and makes an extra GetUser call for the account ID; warnings go to stderr)."

R["euare-usercreate"] = [
    L("User.Arn", optional=True, when="-v/--verbose (not -w)"),
    L("User.UserId", optional=True, when="-v/--verbose (not -w)"),
    L("AccessKey.AccessKeyId", optional=True, when="-k/--create-accesskey (not -w)"),
    L("AccessKey.SecretAccessKey", optional=True, when="-k/--create-accesskey (not -w)"),
    CONFIGFILE,
]
N["euare-usercreate"] = "Silent by default; -g adds the user to a group (AddUserToGroup, --verify first checks the group with GetGroup), -k also creates an access key, -v prints ARN and user ID, -w prints an INI config file instead (implies -k)."

R["euare-usercreatecert"] = [
    L("Certificate.CertificateId"),
    LS("Certificate.CertificateBody (PEM)", optional=True, when="no --out (else written to that file)"),
    LS("Certificate.PrivateKey (PEM)", optional=True, when="no --keyout (else written to that file)"),
]
N["euare-usercreatecert"] = "--out / --keyout write the certificate / private key to files and suppress them on stdout; the certificate ID is always printed."

R["euare-userdel"] = [
    L("'accesskeys'", optional=True, when="-p/--pretend"),
    LS("TAB + AccessKeyId, one per key", optional=True, when="-p/--pretend"),
    L("'policies'", optional=True, when="-p/--pretend"),
    LS("TAB + policy name", optional=True, when="-p/--pretend"),
    L("'certificates'", optional=True, when="-p/--pretend"),
    LS("TAB + CertificateId", optional=True, when="-p/--pretend"),
    L("'groups'", optional=True, when="-p/--pretend"),
    LS("TAB + group Arn", optional=True, when="-p/--pretend"),
]
N["euare-userdel"] = "Silent normally; -r/-p first list keys, policies, certificates, groups and the login profile (5 requests); -r deletes them all before DeleteUser, -p only prints them (the login profile is not printed)."

R["euare-usergetattributes"] = [
    L("User.Arn"), L("User.UserId"),
    L("User.CreateDate", optional=True, when="--show-extra"),
    L("User.Enabled", optional=True, when="--show-extra"),
    L("User.RegStatus", optional=True, when="--show-extra"),
    L("User.PasswordExpiration", optional=True, when="--show-extra"),
]
N["euare-usergetattributes"] = "--show-extra (Eucalyptus) adds four lines, printed as empty lines when the value is missing."

R["euare-usergetloginprofile"] = [
    L("'Login Profile Exists for User <LoginProfile.UserName>'"),
    L("'Creation date: <LoginProfile.CreateDate>'", optional=True, when="--verbose and CreateDate present"),
    L("'Must change password: <LoginProfile.MustChangePassword>'", optional=True, when="--verbose and MustChangePassword present"),
]
N["euare-usergetloginprofile"] = "--verbose adds creation date and must-change-password lines when the response has them; a missing profile is an error (stderr)."

R["euare-userlistbypath"] = [LS("user Arn, one per line", optional=True)]
N["euare-userlistbypath"] = "Follows Marker pagination; prints only ARNs."

R["euare-userlistcerts"] = [
    L("CertificateId", optional=True, when="for each certificate (the following lines repeat per certificate)"),
    LS("CertificateBody (PEM)", optional=True, when="-v/--verbose"),
    L("Status"),
    L("UserName (empty line if absent)"),
]
N["euare-userlistcerts"] = "Each certificate prints ID, [body with -v], status, user name on separate lines; pagination is effectively never followed (code checks a misspelled 'IsTruncatated' key)."

R["euare-userlistgroups"] = [LS("group Arn, one per line", optional=True)]
N["euare-userlistgroups"] = "Follows Marker pagination; prints only group ARNs."

R["euare-userlistkeys"] = [L("AccessKeyId", optional=True, when="for each key (followed by its status line)"), L("Status")]
N["euare-userlistkeys"] = "Two lines per key: ID then status; follows Marker pagination."

R["euare-userlistpolicies"] = [
    LS("policy name, one per line", when="no -p"),
    LS("policy document after each name (as euare-usergetpolicy prints it)", optional=True, when="-v/--verbose"),
    L("the matching policy name, or its document instead of the name when -v", optional=True, when="-p POLICY (only if it exists)"),
    L("'IsTruncated: false'"),
]
N["euare-userlistpolicies"] = "Follows pagination; -v makes one GetUserPolicy request per policy (--pretty-print indents); -p filters client-side; always ends with the literal line 'IsTruncated: false'."

# ---------------- EC2 ----------------
R["euca-allocate-address"] = [T("ADDRESS", ["publicIp", "domain", "allocationId"], note="domain defaults to 'standard' when absent")]
N["euca-allocate-address"] = "domain is 'standard' unless the response says otherwise (e.g. vpc with -d vpc)."

R["euca-associate-address"] = [
    T("ADDRESS", ["instanceId", "allocationId", "associationId", "privateIpAddress"], when="-a/--allocation-id given (VPC)", note="instanceId, allocationId, privateIpAddress echo the -i, -a, -p arguments; associationId comes from the response"),
    T("ADDRESS", ["publicIp", "instanceId"], when="no -a (EC2-classic, incl. a positional eipalloc- ID)", note="both echo the arguments (positional ADDRESS and -i); instanceId is empty when -n is used"),
]
N["euca-associate-address"] = "Output shape depends on whether -a/--allocation-id was given: VPC shape echoes -i/-a/-p plus the response associationId; otherwise it echoes ADDRESS and -i (a positional eipalloc-... is sent as AllocationId but still printed in the classic shape)."

R["euca-attach-volume"] = [ATTACHMENT_VOL]
N["euca-attach-volume"] = "Single ATTACHMENT line from the AttachVolume response."
R["euca-detach-volume"] = [ATTACHMENT_VOL]
N["euca-detach-volume"] = "Single ATTACHMENT line from the DetachVolume response."

def modrule():
    return [
        T("GROUP", ["group"], note="echoes the GROUP argument as given (name or sg- ID)"),
        T("PERMISSION", ["group", "=ALLOWS", "ipProtocol", "fromPort", "toPort", "=FROM", "=CIDR", "cidrIp"], when="CIDR rule (-s, or neither -s nor -o: cidrIp defaults to 0.0.0.0/0)",
          note="all values echo the request parameters: ipProtocol as given with -P (default tcp; all/-1 -> -1; non-numeric other names -> protocol number); from/to ports parsed from -p or -t (empty for other protocols)"),
        T("PERMISSION", ["group", "=ALLOWS", "ipProtocol", "fromPort", "toPort", "=USER", "userId", "=NAME", "sourceGroupName", "=FROM", "=CIDR", "cidrIp"], when="-o GROUPNAME (source group by name; -u required)",
          note="cidrIp is 0.0.0.0/0 here as well, because the default CIDR is also applied when -o is used"),
        T("PERMISSION", ["group", "=ALLOWS", "ipProtocol", "fromPort", "toPort", "=USER", "userId", "=ID", "sourceGroupId", "=FROM", "=CIDR", "cidrIp"], when="-o sg-ID with -u ACCOUNT",
          note="cidrIp is 0.0.0.0/0 (default also applied with -o)"),
        T("PERMISSION", ["group", "=ALLOWS", "ipProtocol", "fromPort", "toPort", "=ID", "sourceGroupId", "=FROM", "=CIDR", "cidrIp"], when="-o sg-ID without -u",
          note="cidrIp is 0.0.0.0/0 (default also applied with -o); if -u is given together with -s, '=USER userId' is inserted after toPort"),
    ]
R["euca-authorize"] = modrule()
N["euca-authorize"] = "Output is built entirely from the command-line arguments/request parameters, not the response; --egress selects the Egress API but the lines are the same."
R["euca-revoke"] = modrule()
N["euca-revoke"] = "Same output as euca-authorize (echo of the request parameters); --egress selects the Egress API."

R["euca-bundle-instance"] = [BUNDLE]
N["euca-bundle-instance"] = "One BUNDLE line from bundleInstanceTask; a default upload policy is generated and signed client-side when -c/-s are not given."
R["euca-cancel-bundle-task"] = [BUNDLE]
N["euca-cancel-bundle-task"] = "One BUNDLE line from bundleInstanceTask in the response."
R["euca-describe-bundle-tasks"] = [dict(BUNDLE, optional=True, when="one per entry of bundleInstanceTasksSet")]
N["euca-describe-bundle-tasks"] = "One BUNDLE line per task, in server order."

R["euca-cancel-conversion-task"] = []
N["euca-cancel-conversion-task"] = "Prints nothing on success."

R["euca-create-group"] = [T("GROUP", ["groupId", "groupName", "groupDescription"], note="groupName and groupDescription echo the GROUP and -d arguments; groupId is from the response")]
N["euca-create-group"] = "groupId from the response, name and description echoed from arguments."

R["euca-create-image"] = [T("IMAGE", ["imageId"])]
N["euca-create-image"] = "Single IMAGE line with the new image ID."

R["euca-create-keypair"] = [T("KEYPAIR", ["keyName", "keyFingerprint"]), LS("keyMaterial (the PEM private key)", optional=True, when="no -f/--filename (with -f it is written to FILE with mode 0600 instead)")]
N["euca-create-keypair"] = "-f FILE writes the private key to the file and suppresses it on stdout."

R["euca-create-snapshot"] = [T("SNAPSHOT", ["snapshotId", "volumeId", "status", "startTime", "ownerId", "volumeSize", "description"])]
N["euca-create-snapshot"] = "7 fields after SNAPSHOT: unlike euca-describe-snapshots there is no progress field."

R["euca-create-tags"] = [T("TAG", TAG_FIELDS, when="one line per (resource, tag) pair: resources in argument order, tags in --tag order for each", note="all values echo the arguments (value empty when --tag KEY has no '='); " + TAG_NOTE)]
N["euca-create-tags"] = "Output is generated from the arguments, not the response (resources outer loop, tags inner loop)."

R["euca-create-volume"] = [T("VOLUME", ["volumeId", "size", "snapshotId", "availabilityZone", "status", "createTime"])]
N["euca-create-volume"] = "6 fields after VOLUME: unlike euca-describe-volumes there is no volumeType/iops."

R["euca-delete-group"] = [T("RETURN", ["return"])]
N["euca-delete-group"] = "Prints the response's return value (normally 'true')."
R["euca-delete-keypair"] = [T("KEYPAIR", ["keyName"], note="echoes the argument")]
N["euca-delete-keypair"] = "Echoes the key name argument."
R["euca-delete-snapshot"] = [T("SNAPSHOT", ["snapshotId"], note="echoes the argument")]
N["euca-delete-snapshot"] = "Echoes the snapshot ID argument."
R["euca-delete-tags"] = []
N["euca-delete-tags"] = "Prints nothing on success."
R["euca-delete-volume"] = [T("VOLUME", ["volumeId"], note="echoes the argument")]
N["euca-delete-volume"] = "Echoes the volume ID argument."
R["euca-deregister"] = [T("IMAGE", ["imageId"], note="echoes the argument")]
N["euca-deregister"] = "Echoes the image ID argument."

R["euca-describe-addresses"] = [T("ADDRESS", ["publicIp", "instanceId", "domain", "allocationId", "associationId", "networkInterfaceId", "privateIpAddress"], optional=True, when="one per entry of addressesSet", note="domain defaults to 'standard' when absent")]
N["euca-describe-addresses"] = "Positional arguments starting with eipalloc- are sent as AllocationId, the rest as PublicIp; server order."

R["euca-describe-availability-zones"] = [T("AVAILABILITYZONE", ["zoneName", "zoneState", "messages"], optional=True, when="one per entry of availabilityZoneInfo", note="messages = messageSet entries joined with ', ' (empty when none; euca2ools joins the parsed items directly, which fails if the server returns message elements)")]
N["euca-describe-availability-zones"] = "Eucalyptus 'verbose' (passed as a zone name) makes the server return extra zone entries (e.g. '|- vm types' rows), printed with the same 3-field layout."

R["euca-describe-conversion-tasks"] = conv_task_records()
N["euca-describe-conversion-tasks"] = "For each task: one TaskType line of label/value pairs (empty values and their labels omitted), then DISKIMAGE line(s); tasks with neither importVolume nor importInstance print nothing."

def sg_records():
    base = ["ownerId", "groupName", "=ALLOWS", "ipProtocol", "fromPort", "toPort"]
    recs = [T("GROUP", ["groupId", "ownerId", "groupName", "groupDescription", "vpcId"])]
    for d, frm, perms in (("ingress", "=FROM", "ipPermissions"), ("egress", "=TO", "ipPermissionsEgress")):
        recs += [
            T("PERMISSION", base + [frm, "=CIDR", "ipRanges.cidrIp", "=" + d], optional=True, when="%s: one per ipRanges entry of each %s rule" % (d, perms)),
            T("PERMISSION", base + [frm, "=USER", "groups.userId", "=NAME", "groups.groupName", "=ID", "groups.groupId", "=" + d], optional=True, when="%s: per source-group entry having both groupName and groupId" % d),
            T("PERMISSION", base + [frm, "=USER", "groups.userId", "=NAME", "groups.groupName", "=" + d], optional=True, when="%s: per source-group entry with groupName but no groupId" % d),
            T("PERMISSION", base + [frm, "=USER", "groups.userId", "=ID", "groups.groupId", "=" + d], optional=True, when="%s: per source-group entry with groupId but no groupName" % d),
        ]
    recs.append(T("TAG", TAG_FIELDS, optional=True, when="for each tag in the group's tagSet", note="resourceId is groupId (or groupName if no ID); " + TAG_NOTE))
    return recs
R["euca-describe-group"] = sg_records()
R["euca-describe-groups"] = sg_records()
N["euca-describe-group"] = "Same class as euca-describe-groups; per group: GROUP, all ingress PERMISSION lines (per rule: CIDR lines then source-group lines), then egress lines (TO/egress), then TAGs; owner/groupName of the group itself are repeated on each PERMISSION line."
N["euca-describe-groups"] = "Per group: GROUP, all ingress PERMISSION lines (per rule: CIDR lines then source-group lines), then egress lines (TO/egress), then TAGs; arguments starting with sg- are sent as GroupId, others as GroupName."

R["euca-describe-image-attribute"] = [
    T("launchPermission", ["imageId", "entityType", "entityValue"], optional=True, when="-l: one per launchPermission entry (per key in it)", note="entityType is the response element name, 'group' or 'userId'"),
    T("productCodes", ["imageId", "=productCode", "productCode"], optional=True, when="-p: one per productCodes entry", note="value is '[<type>: <productCode>]' when the entry has a type, else the bare productCode"),
    T("blockDeviceMapping", ["imageId", "=blockDeviceMap", "mapping"], optional=True, when="-B: one per blockDeviceMapping entry", note="mapping = '<deviceName>: <virtualName or ebs.snapshotId>'"),
    T("kernel", ["imageId", "=", "kernel.value"], optional=True, when="--kernel and a kernel value is returned", note="'=' = literal empty field"),
    T("ramdisk", ["imageId", "=", "ramdisk.value"], optional=True, when="--ramdisk and a ramdisk value is returned", note="'=' = literal empty field"),
    T("description", ["imageId", "=", "description.value"], optional=True, when="--description and a description is returned", note="'=' = literal empty field"),
]
N["euca-describe-image-attribute"] = "Exactly one attribute option is required and only the matching record type is normally returned; record keywords are the lower-camel attribute names and an empty attribute prints nothing."

R["euca-describe-images"] = [
    T("IMAGE", ["imageId", "imageName", "owner", "imageState", "visibility", "architecture", "imageType", "kernelId", "ramdiskId", "platform", "rootDeviceType", "virtualizationType", "hypervisor"],
      note="imageName = imageLocation for instance-store images, else '<imageOwnerId>/<name>'; owner = imageOwnerAlias or imageOwnerId; visibility = 'public' if isPublic=='true' else 'private'"),
    T("BLOCKDEVICEMAPPING", ["=EPHEMERAL", "deviceName", "virtualName"], optional=True, when="per blockDeviceMapping entry that has a virtualName"),
    T("BLOCKDEVICEMAPPING", ["=EBS", "deviceName", "ebs.snapshotId", "ebs.volumeSize", "ebs.deleteOnTermination", "ebs.volumeType", "ebs.iops"], optional=True, when="per blockDeviceMapping entry without a virtualName"),
    TAG("image"),
]
N["euca-describe-images"] = "With no IMAGE/-a/-o/-x it makes two requests (Owner=self and ExecutableBy=self) and merges them; results are de-duplicated by imageId and printed sorted by imageId."

R["euca-describe-instance-attribute"] = [
    T("BLOCKDEVICE", ["deviceName", "ebs.volumeId", "ebs.attachTime", "ebs.deleteOnTermination"], optional=True, when="-b: one per blockDeviceMapping entry", note="only 4 fields (no volumeType/iops, unlike euca-describe-instances)"),
    T("groupSet", ["instanceId", "groupIds"], when="-g", note="groupIds = groupId (or groupName) of each groupSet entry joined with ', '"),
    T("productCodes", ["instanceId", "productCodes"], when="-p", note="productCode values joined with ', '"),
    T("userData", ["instanceId"], when="--user-data and user data is non-empty; followed by the decoded user data text"),
    LS("base64-decoded user data, verbatim", when="--user-data and user data is non-empty"),
    T("userData", ["instanceId", "="], when="--user-data and no user data", note="trailing empty field ('=' = literal empty)"),
] + [T(a, ["instanceId", a + ".value"], when=opt) for a, opt in [
    ("disableApiTermination", "--disable-api-termination"), ("ebsOptimized", "--ebs-optimized"),
    ("instanceInitiatedShutdownBehavior", "--instance-initiated-shutdown-behavior"), ("instanceType", "-t/--instance-type"),
    ("kernel", "--kernel"), ("ramdisk", "--ramdisk"), ("rootDeviceName", "--root-device-name"),
    ("sourceDestCheck", "--source-dest-check")]]
N["euca-describe-instance-attribute"] = "Exactly one attribute option; the record keyword is the attribute name (e.g. 'instanceType\\ti-x\\tm1.small'); -b prints 4-field BLOCKDEVICE lines, --user-data prints the decoded data on following lines."

R["euca-describe-instance-status"] = [
    T("INSTANCE", ["instanceId", "availabilityZone", "instanceState.name", "instanceState.code", "instanceStatus.status", "systemStatus.status", "retirementStatus", "retirementDate"],
      optional=True, when="per instanceStatusSet entry (skipped with --hide-healthy when both statuses are 'ok')",
      note="retirementStatus = 'retiring' if eventsSet is non-empty else 'active'; retirementDate = earliest eventsSet notBefore"),
    T("SYSTEMSTATUS", ["name", "status", "impairedSince"], optional=True, when="per systemStatus.details entry"),
    T("INSTANCESTATUS", ["name", "status", "impairedSince"], optional=True, when="per instanceStatus.details entry"),
    T("EVENT", ["code", "notBefore", "notAfter", "description"], optional=True, when="per eventsSet entry"),
]
N["euca-describe-instance-status"] = "--hide-healthy drops instances whose system and instance status are both 'ok'; --include-all-instances is passed to the server; retirement fields are computed client-side."

R["euca-describe-instance-types"] = [
    T("AVAILABILITYZONE", ["zoneName"], optional=True, when="--by-zone: one per zone (sorted by name), followed by a header+rows table and an empty line"),
    T("INSTANCETYPE", ["=Name", "=CPUs", "=Memory (MiB)", "=Disk (GiB)", "=NICs"], when="header row (always printed first, once per table)",
      note="NOT tab-separated beyond the keyword: the line is 'INSTANCETYPE\\t ' (tab then a space) followed by space-padded columns joined by two spaces; Name left-aligned, other columns right-aligned to the widest of header/values"),
    T("INSTANCETYPE", ["=Name", "=CPUs", "=Memory (MiB)", "=Disk (GiB)", "=NICs", "=Used", "=/", "=Total", "=Used %"], when="header row with --show-capacity",
      note="fixed-width: '...  <Used> / <Total>  <Used %>' appended to the basic template"),
    T("INSTANCETYPE", ["name", "cpu", "memory", "disk", "networkInterfaces"], optional=True, when="one per instanceTypeDetails entry, in server order",
      note="same fixed-width layout as the header ('INSTANCETYPE\\t ' + padded columns)"),
    T("INSTANCETYPE", ["name", "cpu", "memory", "disk", "networkInterfaces", "used", "=/", "total", "usedPercent"], optional=True, when="--show-capacity: one per instance type",
      note="total = sum of availability[].max, used = total - sum of availability[].available (per zone with --by-zone); usedPercent = '{:.0%}' or empty when total is 0"),
    L("empty line", optional=True, when="--by-zone: after each zone's table"),
]
N["euca-describe-instance-types"] = "Eucalyptus-only; prints a fixed-width table (not tab fields) prefixed by 'INSTANCETYPE\\t ' including a header row; --show-capacity adds Used / Total / Used % columns; --by-zone requests availability and prints one table per zone under an AVAILABILITYZONE line, each followed by a blank line (capacity columns only if --show-capacity is also given)."

R["euca-describe-instances"] = [dict(r, **({"optional": True, "when": "one per entry of reservationSet"} if r["type"] == "RESERVATION" else {})) for r in reservation_records()]
N["euca-describe-instances"] = "Reservations in server order, each RESERVATION followed by its instances sorted by launchTime; each INSTANCE is followed by its BLOCKDEVICE, NETWORKINTERFACE (+ATTACHMENT/ASSOCIATION/GROUP/PRIVATEIPADDRESS/TAG) and TAG lines."

R["euca-describe-keypairs"] = [T("KEYPAIR", ["keyName", "keyFingerprint"], optional=True, when="one per entry of keySet")]
N["euca-describe-keypairs"] = "One KEYPAIR line per key, server order."

R["euca-describe-regions"] = [T("REGION", ["regionName", "regionEndpoint"], optional=True, when="one per entry of regionInfo")]
N["euca-describe-regions"] = "One REGION line per region, server order."

R["euca-describe-snapshot-attribute"] = [
    T("createVolumePermission", ["snapshotId", "entityType", "entityValue"], optional=True, when="-c: one per createVolumePermission entry (per key)", note="entityType is the response element name, 'group' or 'userId'"),
    T("productCodes", ["snapshotId", "=productCode", "productCode"], optional=True, when="-p: one per productCodes entry", note="value is '[<type>: <productCode>]' when the entry has a type"),
]
N["euca-describe-snapshot-attribute"] = "Exactly one of -c/-p; record keyword is the attribute name."

R["euca-describe-snapshots"] = [dict(SNAPSHOT_FULL, optional=True, when="one per entry of snapshotSet"), TAG("snapshot")]
N["euca-describe-snapshots"] = "With no SNAPSHOT/-a/-o/-r it makes two requests (Owner=self and RestorableBy=self) and concatenates the results without de-duplication or sorting."

R["euca-describe-tags"] = [T("TAG", ["resourceType", "resourceId", "key", "value"], optional=True, when="one per entry of tagSet", note="resourceType here comes from the response, not computed")]
N["euca-describe-tags"] = "TAG lines straight from the response, server order."

R["euca-describe-volumes"] = [dict(VOLUME_FULL, optional=True, when="one per entry of volumeSet"),
    dict(ATTACHMENT_VOL, optional=True, when="per attachmentSet entry of the volume"), TAG("volume")]
N["euca-describe-volumes"] = "Per volume: VOLUME (volumeType defaults to 'standard'), then ATTACHMENT lines, then TAG lines; server order."

R["euca-disassociate-address"] = [T("ADDRESS", ["publicIpOrAssociationId"], note="echoes the positional ADDRESS or the -a association ID")]
N["euca-disassociate-address"] = "Echoes the argument, not the response."

R["euca-fingerprint-key"] = [L("fingerprint: colon-separated lowercase hex SHA-1 of the PKCS#8 DER private key")]
N["euca-fingerprint-key"] = "Local only (runs openssl pkcs8); no request."

R["euca-get-console-output"] = [L("instanceId"), L("timestamp"), LS("base64-decoded console output; control characters shown as ^X escapes unless -r/--raw-console-output")]
N["euca-get-console-output"] = "Three parts: instance ID line, timestamp line, then the decoded output; -r disables the ^X escaping of control characters."

R["euca-get-password"] = [L("decrypted administrator password")]
N["euca-get-password"] = "Decrypts passwordData locally with 'openssl rsautl -decrypt -inkey <-k file>' and prints the result."
R["euca-get-password-data"] = [L("passwordData (encrypted, base64)", optional=True, when="passwordData is non-empty")]
N["euca-get-password-data"] = "Prints nothing when the instance has no password data yet."

R["euca-import-keypair"] = [T("KEYPAIR", ["keyName", "keyFingerprint"])]
N["euca-import-keypair"] = "Single KEYPAIR line from the response."

R["euca-import-volume"] = [
    L("'Uploading image for task <conversionTaskId>'", optional=True, when="progress shown (stdout is a TTY or --progress) and not --no-upload"),
    conv_task_records()[0], conv_task_records()[1],
]
N["euca-import-volume"] = "Sends ImportVolume then (unless --no-upload) uploads the image parts via ResumeImport (extra DescribeConversionTasks and S3 requests; progress bars on stderr) before printing the TaskType/DISKIMAGE lines from the original ImportVolume response; --dry-run does nothing and ends with an error because there is no result to print."

R["euca-modify-image-attribute"] = [
    T("description", ["imageId", "=", "description"], optional=True, when="--description", note="echoes the argument; '=' = literal empty field"),
    T("productcodes", ["imageId", "=productCode", "productCode"], optional=True, when="-p: one per -p code", note="keyword is lower-case 'productcodes'; echoes the arguments"),
    T("launchPermission", ["imageId", "=ADD", "entityType", "entityValue"], optional=True, when="-l: one per -a entity", note="entityType is 'Group' (value 'all') or 'UserId'"),
    T("launchPermission", ["imageId", "=REMOVE", "entityType", "entityValue"], optional=True, when="-l: one per -r entity", note="entityType is 'Group' (value 'all') or 'UserId'"),
]
N["euca-modify-image-attribute"] = "Output echoes the arguments (not the response): ADD lines for -a then REMOVE lines for -r with -l."

R["euca-modify-instance-attribute"] = []
N["euca-modify-instance-attribute"] = "Prints nothing on success."

R["euca-modify-snapshot-attribute"] = [
    T("createVolumePermission", ["snapshotId", "=ADD", "entityType", "entityValue"], optional=True, when="one per -a entity", note="entityType is 'Group' (value 'all') or 'UserId'"),
    T("createVolumePermission", ["snapshotId", "=REMOVE", "entityType", "entityValue"], optional=True, when="one per -r entity", note="entityType is 'Group' (value 'all') or 'UserId'"),
]
N["euca-modify-snapshot-attribute"] = "Output echoes the arguments: ADD lines for -a, then REMOVE lines for -r."

R["euca-reboot-instances"] = []
N["euca-reboot-instances"] = "Prints nothing on success."

R["euca-register"] = [T("IMAGE", ["imageId"])]
N["euca-register"] = "Single IMAGE line with the new image ID."

R["euca-release-address"] = [T("ADDRESS", ["publicIp", "allocationId"], note="echoes the positional ADDRESS and -a arguments; one of the two is empty")]
N["euca-release-address"] = "Echoes arguments; the empty one is kept as an empty field (e.g. trailing tab for a classic IP)."

R["euca-reset-image-attribute"] = [T("launchPermission", ["imageId", "=RESET"], note="echoes the argument")]
N["euca-reset-image-attribute"] = "Echo of the argument."
R["euca-reset-instance-attribute"] = []
N["euca-reset-instance-attribute"] = "Prints nothing on success."
R["euca-reset-snapshot-attribute"] = [T("createVolumePermission", ["snapshotId", "=RESET"], note="echoes the argument")]
N["euca-reset-snapshot-attribute"] = "Echo of the argument."

R["euca-run-instances"] = reservation_records()
N["euca-run-instances"] = "Prints the RunInstances reservation exactly like euca-describe-instances (RESERVATION, then instances sorted by launchTime with their nested lines)."

STATECHG = T("INSTANCE", ["instanceId", "previousState.name", "currentState.name"], optional=True, when="one per entry of instancesSet")
R["euca-start-instances"] = [STATECHG]
N["euca-start-instances"] = "One INSTANCE line per instance with previous and current state."
R["euca-stop-instances"] = [STATECHG]
N["euca-stop-instances"] = "One INSTANCE line per instance with previous and current state."
R["euca-terminate-instances"] = [STATECHG]
N["euca-terminate-instances"] = "One INSTANCE line per instance with previous and current state."

# ---------------- bundle / misc ----------------
UPL = L("'<file> uploading...'", optional=True, when="upload policy in use (--upload-policy) and progress shown: one per uploaded file")
R["euca-bundle-image"] = [L("'Wrote manifest <path>/<prefix>.manifest.xml'")]
N["euca-bundle-image"] = "Local only; the progress bar goes to stderr; prints one 'Wrote manifest' line."
R["euca-bundle-and-upload-image"] = [UPL,
    LS("'Uploaded <key>' for each bundle part key", optional=True, when="--debug"),
    L("'Uploaded <bucket/prefix>/<name>.manifest.xml' (manifest key)")]
N["euca-bundle-and-upload-image"] = "Part keys are only listed with --debug; progress bars go to stderr; with an upload policy and progress enabled a '<file> uploading...' line per file goes to stdout."
R["euca-upload-bundle"] = [UPL,
    LS("'Uploaded <key>' for each bundle part key", optional=True, when="--debug"),
    L("'Uploaded <manifest key>'", optional=True, when="not --skipmanifest")]
N["euca-upload-bundle"] = "Part keys only with --debug; the manifest line is omitted with --skipmanifest; progress bars on stderr."
R["euca-delete-bundle"] = []
N["euca-delete-bundle"] = "Prints nothing; fetches the manifest and deletes each part and the manifest (--clear also deletes the bucket)."
R["euca-download-bundle"] = [
    L("'Wrote manifest <dir>/<manifest name>'", optional=True, when="manifest fetched from the server (-m/-p, not --local-manifest) and -d is not '-'"),
    LS("raw concatenated bundle part bytes", optional=True, when="-d -"),
]
N["euca-download-bundle"] = "-d - writes the bundle parts to stdout (progress disabled) and prints no message; with --local-manifest nothing is printed."
R["euca-download-and-unbundle"] = [
    L("'Wrote <image path>'", when="-d is a file or directory"),
    LS("raw unbundled image bytes", optional=True, when="-d -"),
]
N["euca-download-and-unbundle"] = "-d - streams the image to stdout with no message; otherwise one 'Wrote <path>' line; progress on stderr."
R["euca-unbundle"] = [L("'Wrote <destination>/<image name>'")]
N["euca-unbundle"] = "Local only; progress bar on stderr."
R["euca-install-image"] = [UPL, T("IMAGE", ["imageId"])]
N["euca-install-image"] = "Runs bundle-and-upload (its 'Uploaded' lines are not printed) then RegisterImage; prints one IMAGE line (tabified)."
R["euca-version"] = []
N["euca-version"] = "Prints nothing on stdout: 'euca2ools <version> (Newton)' (and 'eucalyptus <version>' if /etc/eucalyptus/eucalyptus-version exists) is written to stderr."

# --show-empty-fields note for commands whose records go through tabify
def uses_tab(recs):
    return any("type" in r for r in recs) or any("fields" in r for r in recs)
for c, recs in R.items():
    if uses_tab(recs) and c not in ("euca-describe-instance-types",):
        N[c] = N[c].rstrip() + " --show-empty-fields prints empty fields as '(nil)'."
N["euca-describe-instance-types"] += " --show-empty-fields only affects the AVAILABILITYZONE lines."

opts = json.load(open(sys.argv[1]))
missing = set(opts) - set(R); extra = set(R) - set(opts)
assert not missing and not extra, (missing, extra)
assert set(N) == set(R), set(R) ^ set(N)
out = {k: R[k] for k in sorted(opts)}
json.dump(out, open(sys.argv[2], "w"), indent=1)
json.dump({k: N[k] for k in sorted(opts)}, open(sys.argv[3], "w"), indent=1)
print(len(out), sum(len(v) for v in out.values()))
