#!/usr/bin/env python3
"""Owns CI's deployment check: every generated Terraform directory and CloudFormation template is
deployed into a local moto server, what moto then holds is compared with what the plan or the
template asks for, Terraform must plan no changes afterwards, and teardown must leave nothing.

Usage (from the repository root, with the CI virtualenv; .ci/moto-checks.sh is the wrapper):
    .venv/bin/python .ci/deploy_moto.py [--jobs N] [--inject-drift policy|ingress]... PATH...
Each PATH is a Terraform directory or a CloudFormation template (template.yaml / .json). For
Terraform, TF_CLI_CONFIG_FILE must name the offline CLI configuration (.ci/tf-env.sh writes it);
without it, Terraform paths are reported as skipped. --inject-drift changes moto behind
Terraform's back after the comparison, for negative-checks.sh to prove that re-plan drift fails.

Prints PASS/FAIL/SKIPPED per path (in the order given), what was done to deploy it and what moto
could not show ("moto gap"), then "deploy: N passed, N failed, N skipped"; exits 1 when any path
failed. One moto server (loopback, free port) serves every path, each in an account of its own,
so paths start empty and can deploy side by side without resetting the server.

Why the fixtures: an example that targets an existing VPC names the spec's VPC, subnets and route
tables, which do not exist in moto (moto cannot create a resource under a chosen id). So the
spec's VPC is built in moto (its CIDR, one subnet per named AZ, the named route tables, the named
client security groups) and every spec id is mapped to its moto twin: variables and parameters
get the moto ids through a tfvars file or stack parameters (their defaults are left alone), and
ids the generated code writes literally (a per-endpoint subset of route tables, a client group)
are replaced in a temporary copy, each replacement printed. The committed files are never touched.
A subnet may name its zone by id (use1-az1): it is built in moto's zone of that id. A dual-stack
VPC (vpc.ipv6_cidr) gets an Amazon-provided block in moto, and the spec's block, with every range
inside it, is mapped to moto's at the same offset, as ids are; its subnets get /64s of it.
A hub's spoke VPCs (hub.spokes) are built too, with their CIDRs, and mapped like the spec's VPC:
the generated code names them literally (its zones' associations). A hub's private hosted
zones, their VPC associations and alias records are compared with the plan or the template like
the endpoints (Route 53 is served by moto too), and teardown must leave no zone.

What moto lacks is said, never hidden: MOTO_REPLAN_GAPS (attributes moto does not store, each
only where moto holds nothing and the configuration sets a value), MOTO_SKIPS (paths moto cannot
deploy at all, skipped before anything is created), the "moto gap" lines of each path, and
moto_server_shims() (moto bugs that would stop a deployment, fixed in the server's process only
while moto still has them, and named in the server's banner).
"""

import argparse
import ast
import concurrent.futures
import copy
import ctypes
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
import botocore.config
import yaml

REPO = Path(__file__).resolve().parent.parent

# Ids in the shape EC2 gives them. One in generated code that the spec does not name is left as
# written (and said so): moto then rejects it by name, as AWS would.
FAKE_ID = re.compile(r"\b(?:vpc|subnet|rtb|sg|pl)-[0-9a-f]{8,17}\b")
# An IPv6 range as written in generated code (validated by ipaddress before it is mapped).
CIDR6 = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}/\d{1,3}\b")

# What moto does not store or model, so that a difference there is moto's and not drift in the
# generated code: (resource type, attribute path, when it applies, why). `applies` gets the
# re-plan's before (what the provider read back from moto) and after (what the configuration
# asks for): each gap applies only where moto holds nothing for the attribute and the
# configuration sets it, so a value moto does hold, and differs, is still drift. The re-plan
# ignores exactly these and reports every other change.
def _moto_holds_none(attr: str):
    return lambda before, after: not before.get(attr) and bool(after.get(attr))


MOTO_REPLAN_GAPS = [
    ("aws_vpc_endpoint", "dns_options", _moto_holds_none("dns_options"),
     "moto's CreateVpcEndpoint and ModifyVpcEndpoint ignore DnsOptions and describe none, so "
     "the provider reads back an empty dns_options"),
    ("aws_vpc_security_group_ingress_rule", "description",
     lambda before, after: bool(after.get("referenced_security_group_id")) and not before.get("description"),
     "moto's DescribeSecurityGroupRules gives no description for a rule whose source is a "
     "security group (it reads the description from the CIDR range only)"),
    ("aws_vpc_endpoint", "ip_address_type", _moto_holds_none("ip_address_type"),
     "moto's CreateVpcEndpoint and ModifyVpcEndpoint ignore IpAddressType and describe none, so "
     "the provider reads back an empty ip_address_type and plans to set it again"),
    ("aws_vpc_endpoint", "service_region", _moto_holds_none("service_region"),
     "moto's CreateVpcEndpoint ignores ServiceRegion and describes none, so the provider reads "
     "back an empty service_region and plans to replace the endpoint for it"),
    ("aws_vpc_endpoint", "resource_configuration_arn", _moto_holds_none("resource_configuration_arn"),
     "moto's CreateVpcEndpoint ignores ResourceConfigurationArn and describes none, so the "
     "provider reads back an empty resource_configuration_arn and plans to replace the endpoint"),
    ("aws_vpc_endpoint", "service_network_arn", _moto_holds_none("service_network_arn"),
     "moto's CreateVpcEndpoint ignores ServiceNetworkArn and describes none, so the provider "
     "reads back an empty service_network_arn and plans to replace the endpoint"),
]


def moto_replan_gap(rtype: str, path: str, before: dict, after: dict) -> str | None:
    for gtype, gpath, applies, why in MOTO_REPLAN_GAPS:
        if gtype == rtype and gpath == path and applies(before or {}, after or {}):
            return why
    return None


# Paths moto cannot deploy meaningfully, skipped before anything is created: (kind, when it
# applies to the template or configuration, why). Each condition asks moto itself where it can,
# so that a skip lifts once moto learns what it lacks.
def _cfn_unmodelled(template: dict, rtype: str) -> bool:
    from moto.cloudformation.parsing import get_model_map

    return rtype not in get_model_map() and any(
        r.get("Type") == rtype for r in (template.get("Resources") or {}).values())


MOTO_SKIPS = [
    ("cloudformation", lambda t: _cfn_unmodelled(t, "AWS::EC2::VPCCidrBlock"),
     "moto cannot create a stack that gives its VPC an IPv6 block: its CloudFormation models no "
     "AWS::EC2::VPCCidrBlock (it skips the resource), has no Fn::GetAtt VPC.Ipv6CidrBlocks and "
     "no Fn::Cidr (create_stack is rejected), and its AWS::EC2::Subnet and AWS::EC2::Route ignore "
     "Ipv6CidrBlock and DestinationIpv6CidrBlock, so the subnets' /64s, the IPv6 routes and the "
     "IPv6 ingress rule could not be checked even if the stack were created"),
]


def moto_skip(kind: str, subject: dict) -> str | None:
    for skind, applies, why in MOTO_SKIPS:
        if skind == kind and applies(subject):
            return why
    return None


# prctl option: the kernel signals moto when this process dies, however it dies, so that no
# server outlives a killed CI run.
PR_SET_PDEATHSIG = 1


class Gaps:
    """What moto could not show, grouped by reason: one line per reason, naming its subjects."""

    def __init__(self) -> None:
        self.by_reason: dict[str, list[str]] = {}

    def add(self, reason: str, subject: str) -> None:
        subjects = self.by_reason.setdefault(reason, [])
        if subject not in subjects:
            subjects.append(subject)

    def lines(self, shown: int = 8) -> list[str]:
        out = []
        for reason, subjects in self.by_reason.items():
            more = f" and {len(subjects) - shown} more" if len(subjects) > shown else ""
            out.append(f"moto gap: {reason}: {', '.join(subjects[:shown])}{more}")
        return out


class Failure(Exception):
    """A check failed; the message names what differed."""


class Skip(Exception):
    """A path cannot be deployed here; the message says why."""


# --------------------------------------------------------------------------------------------
# moto server


class MotoServer:
    """moto_server on 127.0.0.1 and a free port, started here and stopped by its PID."""

    def __init__(self, workdir: Path):
        self.log_path = workdir / "moto.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> "MotoServer":
        exe = Path(sys.executable).with_name("moto_server")
        if not exe.exists():
            raise SystemExit(f"deploy: {exe} is missing: install .ci/requirements.txt into .venv")
        for _attempt in range(3):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            log = open(self.log_path, "ab")
            # moto_server's own entry point, after moto_server_shims() in the server's process
            # (-B: importing this file there writes no __pycache__ into .ci).
            boot = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
                    "import deploy_moto; deploy_moto.moto_server_shims(); "
                    "from moto.server import main; main(sys.argv[1:])")
            self.proc = subprocess.Popen(
                [sys.executable, "-B", "-c", boot, "-H", "127.0.0.1", "-p", str(port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
            self.url = f"http://127.0.0.1:{port}"
            if self._wait_ready():
                shims = "".join(f"\n  moto shim: {x}" for x in moto_server_shims(dry_run=True))
                print(f"moto server: pid {self.proc.pid} on {self.url} (moto {_moto_version()}){shims}")
                return self
            self._stop()  # the port was taken between the probe and the start: try another
        raise SystemExit(f"deploy: moto server did not start; its log:\n{self.log_path.read_text()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2):
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def _stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc) -> None:
        self._stop()

    def account(self, n: int) -> "Account":
        """A fresh moto account for one path: its own VPCs, endpoints and stacks, so paths can
        deploy side by side on one server without a reset between them. moto tells accounts
        apart by access key, so the key is made in the account (the header picks it) and then
        used by boto3 and the provider alike."""
        account_id = str(100000000000 + n)
        iam = boto3.client("iam", region_name="us-east-1", endpoint_url=self.url,
                           aws_access_key_id="test", aws_secret_access_key="test")
        iam.meta.events.register("before-sign.iam.*", lambda request, **_: request.headers.__setitem__(
            "x-moto-account-id", account_id))
        iam.create_user(UserName="vpcgen-ci")
        key = iam.create_access_key(UserName="vpcgen-ci")["AccessKey"]
        return Account(self, account_id, key["AccessKeyId"], key["SecretAccessKey"])

    def log_tail(self, lines: int = 30) -> str:
        """moto's own messages (tracebacks, warnings), without the access log and banner."""
        text = [line for line in self.log_path.read_text(errors="replace").splitlines()
                if not re.search(r'"(GET|POST|PUT|DELETE|HEAD) \S+ HTTP/[\d.]+" \d+', line)
                and not line.startswith(("WARNING: This is a development server", " * Running on",
                                         "Press CTRL+C"))]
        return "\n".join(text[-lines:]) or "(nothing but requests)"


class Account:
    def __init__(self, moto: MotoServer, account_id: str, access_key: str, secret_key: str):
        self.moto, self.id, self.access_key, self.secret_key = moto, account_id, access_key, secret_key
        self.url = moto.url

    def client(self, service: str, region: str):
        return boto3.client(
            service, region_name=region, endpoint_url=self.url,
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 2}),
        )

    def log_tail(self) -> str:
        return self.moto.log_tail()


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: the context manager still stops the server


def moto_server_shims(dry_run: bool = False) -> list[str]:
    """Fixes for moto bugs that stop a deployment outright, applied in the server's process (and
    said in the server's banner). Each one is applied only while moto still has the bug, so the
    list empties by itself when moto is fixed; none of them makes moto store anything it did not.

    DescribeSubnets nests the state of a subnet's IPv6 association one level too deep: moto
    builds {"state": {"State": "associated"}} and serialises the inner mapping as the string
    "{'State': 'associated'}", so the provider, which waits for "associated" after giving a
    subnet an IPv6 /64, times out after 3 minutes per subnet.

    AWS::EC2::VPCEndpoint without RouteTableIds (moto's CloudFormation passes None where the
    API passes []) makes an endpoint whose DeleteVpcEndpoints (and ModifyVpcEndpoint) fails with
    a server error unless it is an interface endpoint: so for GatewayLoadBalancer, Resource and
    ServiceNetwork endpoints from a stack, whose deletion the checker does itself.

    AWS::EC2::VPCEndpoint has no Fn::GetAtt at all in moto (VPCEndPoint lacks
    get_cfn_attribute), so a template that reads DnsEntries in a resource (a hub's alias
    records) is answered with a 500 and no stack. DnsEntries is served from the DNS entries
    moto gave the endpoint, the ones DescribeVpcEndpoints reports, in CloudFormation's format
    "hosted zone id:DNS name"; any other attribute is refused as CloudFormation refuses an
    unknown one (a template error), never answered with an invented value.

    CreateHostedZone with a VPC makes a public zone and drops the VPC unless the request also
    says HostedZoneConfig.PrivateZone=true, which AWS does not ask for (a VPC is what makes a
    zone private) and the provider does not send: its aws_route53_zone with a vpc block gets a
    public zone, and every aws_route53_zone_association then fails (PublicZoneVPCAssociation).
    A request with a VPC and no PrivateZone is taken as private, with that VPC.

    AWS::Route53::RecordSetGroup stores its records under the name as written ("a.example"),
    where the API stores every name with its final dot ("a.example."): ChangeResourceRecordSets
    then never finds them (it looks for "a.example."), so nothing can delete them, and the zone
    cannot be deleted behind them (HostedZoneNotEmpty). moto's CloudFormation deletes neither
    (the checker does, through the API: delete_what_moto_cannot); the group's records are
    stored with the final dot, as the API stores the same record."""
    from moto.ec2.models.subnets import Subnet
    from moto.ec2.models.vpcs import VPCEndPoint
    from moto.route53.responses import Route53

    applied = []
    own = Subnet.ipv6_cidr_block_association_set.fget

    class _Probe:
        ipv6_cidr_block_associations = {"a": {"associationId": "a", "ipv6CidrBlock": "::/64",
                                              "ipv6CidrBlockState": {"State": "associated"}}}

    if own(_Probe())[0]["ipv6CidrBlockState"] != {"state": "associated"}:
        applied.append("DescribeSubnets reports a subnet's IPv6 association state as "
                       "\"{'State': 'associated'}\" (moto nests it twice); served as \"associated\"")
        if not dry_run:
            def fixed(self):
                out = own(self)
                for a in out:
                    state = a["ipv6CidrBlockState"]["state"]
                    if isinstance(state, dict):
                        a["ipv6CidrBlockState"] = {"state": state.get("State")}
                return out
            Subnet.ipv6_cidr_block_association_set = property(fixed)

    own_init = VPCEndPoint.__init__
    if VPCEndPoint(None, "vpce-probe", "vpc-probe", None, "Resource", None, None).route_table_ids is None:
        applied.append("AWS::EC2::VPCEndpoint without RouteTableIds gets None for them (the API "
                       "gets []), on which DeleteVpcEndpoints fails; created with []")
        if not dry_run:
            def init(self, *args, **kwargs):
                own_init(self, *args, **kwargs)
                if self.route_table_ids is None:
                    self.route_table_ids = []
            VPCEndPoint.__init__ = init

    if not _vpce_resolves_dns_entries():
        applied.append("AWS::EC2::VPCEndpoint has no Fn::GetAtt (a 500 on DnsEntries); "
                       "DnsEntries served as \"hosted zone id:DNS name\" from the endpoint's own "
                       "DNS entries (DescribeVpcEndpoints'), other attributes refused")
        if not dry_run:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            own_getatt = getattr(VPCEndPoint, "get_cfn_attribute", None)

            def get_cfn_attribute(self, attribute_name):
                if attribute_name == "DnsEntries":
                    return [f"{e['hosted_zone_id']}:{e['dns_name']}" for e in self.dns_entries or []]
                if own_getatt is not None:
                    return own_getatt(self, attribute_name)
                raise UnformattedGetAttTemplateException()
            VPCEndPoint.get_cfn_attribute = get_cfn_attribute

    if _hosted_zone_vpc_dropped():
        applied.append("CreateHostedZone with a VPC but no HostedZoneConfig.PrivateZone makes a "
                       "public zone and drops the VPC (AWS makes it private with that VPC); "
                       "taken as private")
        if not dry_run:
            own_create = Route53.create_hosted_zone

            def create_hosted_zone(self):
                if self._get_param("VPC.VPCId") and self._get_param("HostedZoneConfig.PrivateZone") is None:
                    own_bool = self._get_bool_param
                    # This response object serves this one request (Route53.dispatch makes one).
                    self._get_bool_param = lambda name, if_none=None: (
                        True if name == "HostedZoneConfig.PrivateZone" else own_bool(name, if_none))
                return own_create(self)
            Route53.create_hosted_zone = create_hosted_zone

    if _cfn_record_names_undotted():
        applied.append("AWS::Route53::RecordSetGroup stores record names without the final dot the "
                       "API gives them, so no API call finds them (nor deletes them or their zone); "
                       "stored with it")
        if not dry_run:
            from moto.route53.models import RecordSetGroup

            own_group = RecordSetGroup.create_from_cloudformation_json.__func__

            def create_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
                props = dict(cloudformation_json["Properties"])
                props["RecordSets"] = [
                    dict(rs, Name=rs["Name"] + ".") if isinstance(rs.get("Name"), str)
                    and not rs["Name"].endswith(".") else rs for rs in props.get("RecordSets") or []]
                return own_group(cls, resource_name, dict(cloudformation_json, Properties=props),
                                 account_id, region_name, **kwargs)
            RecordSetGroup.create_from_cloudformation_json = classmethod(create_group)
    return applied


def _cfn_record_names_undotted() -> bool:
    """Whether moto's AWS::Route53::RecordSetGroup stores a record's name without the final dot
    the API stores it with (asked of a zone made, and removed again, in a probe account that no
    path uses)."""
    from moto.route53.models import RecordSetGroup, route53_backends

    backend = route53_backends["000000000000"]["aws"]
    zone = backend.create_hosted_zone("probe.internal.", private_zone=False)
    try:
        RecordSetGroup.create_from_cloudformation_json("Probe", {"Properties": {
            "HostedZoneId": zone.id, "RecordSets": [
                {"Name": "a.probe.internal", "Type": "A", "TTL": "60", "ResourceRecords": ["192.0.2.1"]}]}},
            "000000000000", "us-east-1")
        return not any(r.name == "a.probe.internal." for r in zone.rrsets)
    except Exception:
        return False  # moto's model changed shape: nothing to tell, no shim
    finally:
        backend.reset()  # the probe account's zone and delegation set


def _vpce_resolves_dns_entries() -> bool:
    """Whether moto's VPCEndPoint answers Fn::GetAtt DnsEntries (asked of a probe object with
    one DNS entry, as moto gives an interface endpoint)."""
    from moto.ec2.models.vpcs import VPCEndPoint

    probe = VPCEndPoint(None, "vpce-probe", "vpc-probe", "com.amazonaws.us-east-1.probe", "Interface",
                        None, [], dns_entries=[{"dns_name": "vpce-probe-x.probe", "hosted_zone_id": "ZPROBE"}])
    try:
        return probe.get_cfn_attribute("DnsEntries") == ["ZPROBE:vpce-probe-x.probe"]
    except Exception:  # AttributeError today; NotImplementedError or a template error later
        return False


def _hosted_zone_vpc_dropped() -> bool:
    """Whether moto's CreateHostedZone handler drops a request's VPC (and makes the zone
    public) when HostedZoneConfig.PrivateZone is not sent: the handler is run on a stand-in
    request and backend, which record what it passes on."""
    from moto.route53.responses import Route53

    class _Zone:
        vpcs: list = []
        private_zone = False
        delegation_set = None
        resource_id = "ZPROBE"

    class _Backend:
        def create_hosted_zone(self, name, private_zone, vpcid=None, **_):
            self.got = (private_zone, vpcid)
            return _Zone()

    class _Request:
        backend = _Backend()
        params = {"Name": "probe.internal", "CallerReference": "probe",
                  "VPC.VPCId": "vpc-probe", "VPC.VPCRegion": "us-east-1"}

        def _get_param(self, name, if_none=None):
            return self.params.get(name, if_none)

        def _get_bool_param(self, name, if_none=None):
            v = self.params.get(name)
            return if_none if v is None else str(v).lower() == "true"

    req = _Request()
    try:
        Route53.create_hosted_zone(req)
    except Exception:
        return False  # moto's handler changed shape: nothing to tell, no shim
    return req.backend.got != (True, "vpc-probe")


def _moto_version() -> str:
    import moto

    return moto.__version__


# --------------------------------------------------------------------------------------------
# the spec's VPC, built in moto


def find_spec(files: list[Path]) -> Path:
    """The spec a generated file was rendered from, as its header (or Metadata) names it."""
    pattern = re.compile(r"(?:Generated by vpcgen from|Spec:|spec:)\s*\"?([^\s\"]+\.ya?ml)")
    for f in files:
        m = pattern.search(f.read_text(errors="replace")[:4000])
        if m and (REPO / m.group(1)).is_file():
            return REPO / m.group(1)
    raise Failure("no generated-file header names a spec that exists in the repository")


class Fixture:
    """The moto account one path deploys into: the spec's existing VPC, when it names one."""

    def __init__(self, moto: "Account", spec_path: Path):
        self.spec = yaml.safe_load(spec_path.read_text())
        self.region = self.spec["region"]
        self.ec2 = moto.client("ec2", self.region)
        self.route53 = moto.client("route53", self.region)  # global: the partition's one
        self.ids: dict[str, str] = {}  # spec id -> moto id
        vpc = self.spec.get("vpc") or {}
        self.creates_vpc = bool(vpc.get("create"))
        self.cidr = vpc.get("cidr")
        self.values: dict[str, object] = {}
        self.ipv6: tuple[ipaddress.IPv6Network, ipaddress.IPv6Network] | None = None  # spec, moto
        # A Region or zone moto does not model cannot be deployed here: say so, not "failed".
        try:
            listed = self.ec2.describe_availability_zones()["AvailabilityZones"]
        except Exception as e:  # moto answers an unknown Region with a server error
            raise Skip(f"moto does not model Region {self.region} ({type(e).__name__})") from e
        zones = {z["ZoneName"] for z in listed}
        # A subnet names its zone (us-east-1a) or the zone's id (use1-az1), which is the same
        # zone in every account; moto gives each of its zones a fixed id, looked up here.
        by_id = {z["ZoneId"]: z["ZoneName"] for z in listed if z.get("ZoneId")}
        named = [s["az"] for s in vpc.get("subnets") or [] if "az" in s]
        if isinstance(vpc.get("azs"), list):  # a new VPC's zones by name (or just a count)
            named += vpc["azs"]
        missing = sorted(set(named) - zones)
        missing += sorted({s["az_id"] for s in vpc.get("subnets") or []
                           if "az" not in s and "az_id" in s} - set(by_id))
        if missing:
            raise Skip(f"moto has no Availability Zone {', '.join(missing)} (its {self.region} "
                       f"zones: {', '.join(f'{n} ({i})' for i, n in sorted(by_id.items(), key=lambda kv: kv[1]))})")
        self._build_spokes()
        if self.creates_vpc:
            return
        ipv6_spec = vpc.get("ipv6_cidr")
        vpc_id = self.ec2.create_vpc(CidrBlock=self.cidr, AmazonProvidedIpv6CidrBlock=bool(ipv6_spec))["Vpc"]["VpcId"]
        # Private DNS needs both, as it does in AWS; moto does not check, a reader might.
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        self.ids[vpc.get("id", "vpc-spec")] = vpc_id
        if ipv6_spec:
            # The spec's IPv6 block is AWS's choice for that VPC; moto chooses another, and the
            # spec's block (and any range inside it) is mapped to moto's (map_cidr6).
            held = self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"]
            got = ipaddress.ip_network(held[0]["Ipv6CidrBlock"])
            want = ipaddress.ip_network(ipv6_spec)
            if got.prefixlen != want.prefixlen:
                raise Failure(f"moto gave the VPC the IPv6 block {got}, not a /{want.prefixlen} "
                              f"like the spec's {want}: nothing to map it to")
            self.ipv6 = (want, got)
        net = ipaddress.ip_network(self.cidr)
        blocks = net.subnets(new_prefix=min(net.prefixlen + 4, 28))
        blocks6 = self.ipv6[1].subnets(new_prefix=64) if self.ipv6 else None
        subnet_ids = []
        for sub in vpc.get("subnets") or []:
            # Each subnet of a dual-stack VPC gets a /64 of it, as a dual-stack endpoint's
            # subnets need in AWS.
            extra = {"Ipv6CidrBlock": str(next(blocks6))} if blocks6 else {}
            sid = self.ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=str(next(blocks)),
                AvailabilityZone=sub["az"] if "az" in sub else by_id[sub["az_id"]], **extra,
            )["Subnet"]["SubnetId"]
            self.ids[sub["id"]] = sid
            subnet_ids.append(sid)
        rtb_ids = []
        for rtb in vpc.get("route_tables") or []:
            rid = self.ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
            self.ids[rtb] = rid
            rtb_ids.append(rid)
        # Client groups the spec admits; in AWS they may live in a peered VPC, here in this one.
        sg_conf = self.spec.get("security_group") or {}
        for n, sg in enumerate(sg_conf.get("source_security_groups") or []):
            gid = self.ec2.create_security_group(
                GroupName=f"spec-client-{n}", Description=f"stands in for {sg}", VpcId=vpc_id
            )["GroupId"]
            self.ids[sg] = gid
        self.vpc_id = vpc_id
        self.values = {
            "vpc_id": vpc_id, "vpc_cidr": self.cidr,
            "subnet_ids": subnet_ids, "route_table_ids": rtb_ids,
        }
        if self.ipv6:
            self.values["vpc_ipv6_cidr"] = str(self.ipv6[1])

    def _build_spokes(self) -> dict[str, str]:
        """The spoke VPCs of a hub (hub.spokes), built in moto with their CIDRs; the generated
        code names them literally, and replace_literal_ids puts moto's ids in their place.
        Returns spec id -> moto id. A spoke of another account would need a second moto
        account and a provider for it: not modelled here, so it fails rather than passing
        with the spoke in the wrong account."""
        built: dict[str, str] = {}
        for n, spoke in enumerate((self.spec.get("hub") or {}).get("spokes") or []):
            label = spoke.get("name") or spoke["vpc_id"]
            if spoke.get("account"):
                raise Failure(f"hub.spokes[{n}] ({label}) lives in account {spoke['account']}: "
                              "deploy_moto.py builds spokes in the hub's account only; teach it "
                              "cross-account spokes")
            sid = self.ec2.create_vpc(CidrBlock=spoke["cidr"])["Vpc"]["VpcId"]
            # A private hosted zone answers a VPC only with both, in AWS (moto does not check).
            self.ec2.modify_vpc_attribute(VpcId=sid, EnableDnsSupport={"Value": True})
            self.ec2.modify_vpc_attribute(VpcId=sid, EnableDnsHostnames={"Value": True})
            self.ec2.create_tags(Resources=[sid], Tags=[{"Key": "Name", "Value": f"spoke-{label}"}])
            self.ids[spoke["vpc_id"]] = sid
            built[spoke["vpc_id"]] = sid
        return built

    def vpc_exists(self, vpc_id: str) -> bool:
        try:
            return bool(self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"])
        except self.ec2.exceptions.ClientError:
            return False

    def map_cidr6(self, text: str) -> tuple[str, list[str]]:
        """text with the spec's IPv6 block, and every range inside it, moved to moto's block at
        the same offset; and the ranges so moved. Other IPv6 ranges are left as written."""
        if not self.ipv6:
            return text, []
        want, got = self.ipv6
        moved: list[str] = []

        def one(m):
            try:
                net = ipaddress.IPv6Network(m.group(0))
            except ValueError:
                return m.group(0)
            if not net.subnet_of(want):
                return m.group(0)
            base = int(got.network_address) + int(net.network_address) - int(want.network_address)
            moved.append(m.group(0))
            return f"{ipaddress.IPv6Address(base)}/{net.prefixlen}"

        return CIDR6.sub(one, text), moved

    def map_value(self, value, where: str):
        """A default from the generated code with every spec id (and the spec's IPv6 block)
        replaced by its moto twin."""
        if isinstance(value, list):
            return [self.map_value(v, where) for v in value]
        if isinstance(value, str):
            unknown = [i for i in FAKE_ID.findall(value) if i not in self.ids]
            if unknown:
                raise Failure(f"{where} names {', '.join(unknown)}, which the spec does not name, "
                              "so there is nothing in moto to stand for it")
            return self.map_cidr6(FAKE_ID.sub(lambda m: self.ids[m.group(0)], value))[0]
        return value

    def replace_literal_ids(self, text: str, where: str, notes: list[str]) -> str:
        """Literal spec ids (and IPv6 ranges of the spec's block) in generated code, not behind
        a variable or parameter."""
        found = sorted(set(FAKE_ID.findall(text)))
        for i in found:
            if i in self.ids:
                notes.append(f"{where} names {i} literally (not through a variable or "
                             f"parameter); deployed with moto's {self.ids[i]}")
            else:
                # Left as written: moto then rejects it, naming it, as AWS would.
                notes.append(f"{where} names {i}, which the spec does not name; left as written")
        text, moved = self.map_cidr6(text)
        for c in sorted(set(moved)):
            notes.append(f"{where} names the spec's IPv6 range {c} literally; deployed with "
                         f"moto's {self.map_cidr6(c)[0]}")
        return FAKE_ID.sub(lambda m: self.ids.get(m.group(0), m.group(0)), text)

    def note_unlisted_services(self, names: list[str], gaps: "Gaps") -> None:
        """moto creates an endpoint for any service name, so a deployment proves nothing about
        names; which ones moto's own catalogue lacks is said, so that nobody reads it as proof."""
        listed = set(self.ec2.describe_vpc_endpoint_services()["ServiceNames"])
        # Resource and service-network endpoints have no service name: nothing to look up.
        for name in sorted({n for n in names if n} - listed):
            gaps.add("not in moto's DescribeVpcEndpointServices (moto creates endpoints for any "
                     "name; names are not validated here)", name)

    def live_endpoints(self, vpc_ids: list[str]) -> list[dict]:
        eps = self.ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": vpc_ids}])["VpcEndpoints"]
        return [e for e in eps if e.get("State", "").lower() != "deleted"]


# --------------------------------------------------------------------------------------------
# comparing moto with an expectation


AWS_DEFAULT_POLICY = {"Version": "2008-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def norm_policy(doc, gaps: "Gaps | None" = None, label: str = ""):
    """A policy as data. moto returns what it was given: the JSON string the API sent, or, from
    CloudFormation, the Python repr of the template's mapping (moto stores the mapping and
    prints it with str()); the repr is read back as data and the gap noted."""
    if doc is None or doc == "":
        return None
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            try:
                value = ast.literal_eval(doc)
            except (ValueError, SyntaxError):
                return doc
            if gaps is not None:
                gaps.add("moto returns a CloudFormation PolicyDocument as a Python repr, not "
                         "JSON; compared as data", label)
            return value
    return doc


def rule_set(perms: list[dict]) -> set[tuple]:
    """Security-group permissions, one tuple per (protocol, ports, peer, description)."""
    out = set()
    for p in perms:
        proto = str(p.get("IpProtocol"))
        lo, hi = p.get("FromPort"), p.get("ToPort")
        if proto == "-1":
            lo = hi = None
        peers = [("cidr", r["CidrIp"], r.get("Description")) for r in p.get("IpRanges", [])]
        peers += [("cidr6", r["CidrIpv6"], r.get("Description")) for r in p.get("Ipv6Ranges", [])]
        peers += [("group", r["GroupId"], r.get("Description")) for r in p.get("UserIdGroupPairs", [])]
        peers += [("prefix", r["PrefixListId"], r.get("Description")) for r in p.get("PrefixListIds", [])]
        for kind, value, desc in peers:
            out.add((proto, lo, hi, kind, value, desc or None))
    return out


def fmt_rules(rules) -> str:
    def one(p, lo, hi, kind, value, desc):
        ports = "all traffic" if p == "-1" else f"{p} {lo}" if lo == hi else f"{p} {lo}-{hi}"
        return f"{ports} {kind} {value}" + (f" ({desc!r})" if desc else "")

    if not rules:
        return "none"
    return "; ".join(one(*r) for r in sorted(rules, key=lambda r: tuple(str(x) for x in r)))


def compare_endpoint(label: str, want: dict, got: dict, errors: list[str], gaps: Gaps) -> None:
    """want: service_name, type, vpc_id, subnet_ids, security_group_ids, route_table_ids, policy
    (None where none is sent), private_dns (None where not set)."""
    def diff(what, a, b):
        if a != b:
            errors.append(f"{label}: {what}: the deployment asks for {a!r}, moto holds {b!r}")

    diff("service name", want["service_name"], got.get("ServiceName"))
    diff("endpoint type", want["type"], got.get("VpcEndpointType"))
    diff("VPC", want["vpc_id"], got.get("VpcId"))
    diff("subnets", sorted(want["subnet_ids"]), sorted(got.get("SubnetIds") or []))
    diff("security groups", sorted(want["security_group_ids"]),
         sorted(g["GroupId"] for g in got.get("Groups") or []))
    diff("route tables", sorted(want["route_table_ids"]), sorted(got.get("RouteTableIds") or []))
    if want["policy"] is not None:
        diff("policy", norm_policy(want["policy"]), norm_policy(got.get("PolicyDocument"), gaps, label))
    else:
        # Without a policy AWS attaches its default full-access document, and so does moto.
        held = norm_policy(got.get("PolicyDocument"))
        if held is not None and held.get("Statement") != AWS_DEFAULT_POLICY["Statement"]:
            errors.append(f"{label}: policy: none is sent, so AWS's default full access is "
                          f"expected; moto holds {got.get('PolicyDocument')!r}")
    if want["type"] in ("Interface", "Resource", "ServiceNetwork"):
        diff("private DNS", bool(want["private_dns"]), bool(got.get("PrivateDnsEnabled")))
    if "tags" in want:
        diff("tags", want["tags"], {t["Key"]: t["Value"] for t in got.get("Tags") or []})


def check_gateway_routes(ec2, label: str, ep: dict, created_with: set[str],
                         errors: list[str], gaps: Gaps) -> None:
    """A gateway endpoint's prefix-list route in each of its route tables."""
    pls = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [ep["ServiceName"]]}])["PrefixLists"]
    if not pls:
        gaps.add(f"moto has no managed prefix list named {ep['ServiceName']} (it names its "
                 "lists com.amazonaws.<region>.s3/.dynamodb in every partition), so it adds no "
                 "route; routes not checked", label)
        return
    pl = pls[0]["PrefixListId"]
    for rtb in sorted(ep.get("RouteTableIds") or []):
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        hit = [r for r in routes if r.get("DestinationPrefixListId") == pl]
        if hit and hit[0].get("GatewayId") == ep["VpcEndpointId"]:
            continue
        if rtb not in created_with:
            gaps.add("associated after creation (ModifyVpcEndpoint AddRouteTableIds), where "
                     "moto records the route table but adds no prefix-list route; routes not "
                     "checked", label)
            continue
        errors.append(f"{label}: route table {rtb} has no route to the endpoint's prefix list "
                      f"{pl} (its routes: {routes})")


ROUTE_TARGETS = ("GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "TransitGatewayId",
                 "NetworkInterfaceId", "VpcPeeringConnectionId", "InstanceId", "CarrierGatewayId",
                 "VpcEndpointId", "LocalGatewayId", "CoreNetworkArn")
ROUTE_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")


def find_route(ec2, rtb: str, dest: tuple[str, str]) -> tuple[dict | None, list[dict]]:
    """The route of route table rtb to dest (a ROUTE_DESTINATIONS key and its value), and all
    of the table's routes."""
    tables = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"]
    routes = tables[0]["Routes"] if tables else []
    return next((r for r in routes if r.get(dest[0]) == dest[1]), None), routes


def route_targets(route: dict) -> set[str]:
    """The ids a route sends its traffic to. moto (like EC2) reports an endpoint's id as the
    route's GatewayId."""
    return {route[k] for k in ROUTE_TARGETS if route.get(k)}


def check_route(ec2, label: str, rtb: str, dest: tuple[str, str], targets: set[str],
                errors: list[str]) -> dict | None:
    route, routes = find_route(ec2, rtb, dest)
    if route is None:
        errors.append(f"{label}: route table {rtb} has no route to {dest[1]} (its routes: "
                      f"{[{k: v for k, v in r.items() if k in ROUTE_DESTINATIONS + ROUTE_TARGETS} for r in routes]})")
        return None
    if route_targets(route) != targets:
        errors.append(f"{label}: the route of {rtb} to {dest[1]} goes to {sorted(route_targets(route))}, "
                      f"the deployment asks for {sorted(targets)}")
    return route


# --------------------------------------------------------------------------------------------
# Terraform


class Terraform:
    def __init__(self, workdir: Path, log: Path):
        self.cwd = workdir
        self.log = log
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "TF_CLI_ARGS", "TF_VAR_"))}
        # The provider must talk to moto only, with the fixed keys the provider block carries.
        self.env.update(AWS_EC2_METADATA_DISABLED="true", TF_IN_AUTOMATION="1",
                        CHECKPOINT_DISABLE="1", TF_INPUT="0")
        # Every Terraform command starts the provider two to five times, and each start builds
        # its whole schema: with the collector run less often (GOGC=400, about 0.5 GB per
        # process) that costs about a fifth less CPU, the bulk of this check's time.
        self.env.setdefault("GOGC", "400")
        self.bin = shutil.which(os.environ.get("TERRAFORM", "terraform"))

    def run(self, *args: str, ok=(0,)) -> subprocess.CompletedProcess:
        started = time.monotonic()
        proc = subprocess.run([self.bin, *args, "-no-color"], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True)
        with open(self.log, "a") as f:
            f.write(f"$ terraform {' '.join(args)}  (exit {proc.returncode}, "
                    f"{time.monotonic() - started:.1f} s)\n{proc.stdout}{proc.stderr}\n")
        if proc.returncode not in ok:
            raise Failure(f"terraform {args[0]} failed (exit {proc.returncode}):\n"
                          + indent(errors_of(proc.stdout + proc.stderr)))
        return proc

    def show(self, *args: str) -> dict:
        return json.loads(self.run("show", "-json", *args).stdout)


def errors_of(output: str) -> str:
    """Terraform's error blocks, or the whole output when it printed none."""
    blocks = re.findall(r"(?ms)^(?:│ )?Error: .*?(?=^(?:│ )?Error: |^╵|\Z)", output)
    text = "\n".join(b.strip() for b in blocks) if blocks else output.strip()
    return text.replace("│ ", "").replace("╷", "").replace("╵", "")[:6000]


def indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def provider_block(region: str, account: Account) -> str:
    url = account.url
    # EC2 serves the endpoints, groups and routes; STS tells the provider its account. The
    # account lookup is not skipped: without it the provider reads a rule that references a
    # group of its own account as "<account>/sg-..." (another account's group) and plans to
    # change it back. Route 53 serves a hub's private hosted zones, records and associations;
    # Route 53 Profiles and RAM (a hub's other DNS mode, spokes of other accounts) point at
    # moto too, so that nothing reaches AWS: moto models RAM, and answers Route 53 Profiles
    # with an error, which fails the path by name. (terraform validate rejects a key the
    # provider does not know; 5.100.0 knows all five.)
    return f'''# Written by .ci/deploy_moto.py into a temporary copy: the provider talks to moto only.
provider "aws" {{
  region                      = "{region}"
  access_key                  = "{account.access_key}"
  secret_key                  = "{account.secret_key}"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {{
    ec2             = "{url}"
    sts             = "{url}"
    route53         = "{url}"
    route53profiles = "{url}"
    ram             = "{url}"
  }}
}}
'''


REF = re.compile(r'^(?P<addr>[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)(?P<index>\[[^\]]*\])?(?:\.(?P<attr>\w+))?')


class PlanView:
    """Expected values of a saved plan: known values as planned, and the ids a value was unknown
    for (a reference to another resource) resolved through the configuration's references
    against the applied state, so moto is compared with what the config asks for."""

    def __init__(self, plan: dict, state: dict):
        self.changes = [rc for rc in plan.get("resource_changes", []) if rc["mode"] == "managed"]
        self.config = {r["address"]: r for r in _config_resources(plan["configuration"]["root_module"])}
        # The raw state (`terraform state pull`, format 4): reading it costs no provider start,
        # where `terraform show -json` loads the provider's whole schema (about 4 s).
        self.state: dict[str, dict] = {}
        self.by_config: dict[str, list[dict]] = {}
        for r in state.get("resources", []):
            if r.get("mode") != "managed" or r.get("module"):
                continue
            base = f"{r['type']}.{r['name']}"
            for inst in r.get("instances", []):
                key = inst.get("index_key")
                addr = base if key is None else f"{base}[{json.dumps(key)}]"
                entry = {"address": addr, "values": inst.get("attributes", {})}
                self.state[addr] = entry
                self.by_config.setdefault(base, []).append(entry)

    def instances(self, rtype: str) -> list[dict]:
        return [rc for rc in self.changes if rc["type"] == rtype and "create" in rc["change"]["actions"]]

    def value(self, rc: dict, attr: str):
        after = rc["change"]["after"] or {}
        u = (rc["change"].get("after_unknown") or {}).get(attr)
        if not (u is True or (isinstance(u, list) and any(x is True for x in u))):
            return after.get(attr)
        conf = self.config.get(f"{rc['type']}.{rc['name']}", {})
        expr = conf.get("expressions", {}).get(attr)
        if expr is None:
            return None  # computed by the provider; the configuration does not ask for a value
        refs = expr.get("references", []) if isinstance(expr, dict) else []
        resolved = self._resolve(rc, conf, refs)
        if resolved is None:
            raise Failure(f"cannot tell from the configuration what {rc['address']}.{attr} should be "
                          f"(references: {refs})")
        if isinstance(after.get(attr), list) or isinstance(u, list) or attr.endswith("_ids"):
            known = [v for v in (after.get(attr) or []) if v is not None]
            return sorted(set(known + resolved))
        if len(resolved) != 1:
            raise Failure(f"{rc['address']}.{attr} refers to {len(resolved)} values: {resolved}")
        return resolved[0]

    def _resolve(self, rc: dict, conf: dict, refs: list[str]):
        out: list = []
        seen: set[str] = set()
        # A literal for_each map whose values name an instance of another resource
        # (aws_vpc_endpoint.firewall[each.value.subnet].id): the instance key is read from this
        # instance's entry of the map.
        fe = conf.get("for_each_expression") or {}
        each_index = None
        if not fe.get("references") and isinstance(fe.get("constant_value"), dict):
            item = fe["constant_value"].get(rc.get("index"))
            for ref in sorted(refs, key=len, reverse=True):
                if ref == "each.key":
                    each_index = rc.get("index")
                elif ref.startswith("each.value.") and isinstance(item, dict):
                    each_index = item.get(ref.split(".")[2])
                elif ref == "each.value" and isinstance(item, (str, int)):
                    each_index = item  # aws_nat_gateway.this[each.value].id
                if each_index is not None:
                    break
        # Terraform lists a reference and each of its prefixes; the longest one says most.
        for ref in sorted(refs, key=len, reverse=True):
            if any(s.startswith(ref) for s in seen):
                continue
            seen.add(ref)
            if ref.startswith("each.") and each_index is not None:
                continue  # it picks the instance of the resource reference beside it
            if ref.startswith("each."):
                fe = (conf.get("for_each_expression") or {}).get("references", [])
                src = next((REF.match(r) for r in fe if REF.match(r)), None)
                if src is None:
                    return None
                key = rc.get("index")
                inst = self.state.get(f"{src['addr']}[{json.dumps(key)}]")
                attr = ref.split(".")[2] if ref.count(".") >= 2 else "id"
                if inst is None:
                    return None
                out.append(inst["values"].get(attr))
                continue
            m = REF.match(ref)
            if not m or ref.startswith(("var.", "local.", "count.", "data.", "path.", "terraform.")):
                continue
            attr = m["attr"] or "id"
            if m["index"] or each_index is not None:
                inst = self.state.get(m["addr"] + (m["index"] or f"[{json.dumps(each_index)}]"))
                insts = [inst] if inst else []
            else:
                insts = self.by_config.get(m["addr"], [])
            out.extend(i["values"].get(attr) for i in insts)
        return out or None

    def state_id(self, rc: dict) -> str:
        inst = self.state.get(rc["address"])
        if inst is None:
            raise Failure(f"{rc['address']} is planned but not in the state after apply")
        return inst["values"]["id"]


def _config_resources(module: dict):
    yield from module.get("resources", [])
    for call in (module.get("module_calls") or {}).values():
        yield from _config_resources(call.get("module", {}))


def declared_variables(files: list[Path]) -> list[str]:
    names = []
    for f in files:
        names += re.findall(r'(?m)^variable\s+"([^"]+)"', f.read_text())
    return names


def diff_paths(before, after, prefix="") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in sorted(set(before) | set(after)):
            out += diff_paths(before.get(k), after.get(k), f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after) \
            and all(isinstance(x, dict) for x in before + after):
        out = []
        for b, a in zip(before, after):
            out += diff_paths(b, a, f"{prefix}[]")
        return out
    return [] if before == after else [prefix]


def deploy_terraform(moto: Account, src: Path, work: Path, drift: list[str] | None,
                     notes: list[str]) -> list[str]:
    files = sorted(src.glob("*.tf"))
    if not files:
        raise Failure("no *.tf files")
    if not os.environ.get("TF_CLI_CONFIG_FILE"):
        raise Skip("TF_CLI_CONFIG_FILE is not set: no offline provider configuration "
                   "(.ci/moto-checks.sh writes one when terraform and the provider mirror exist)")
    spec_path = find_spec(files)
    fx = Fixture(moto, spec_path)
    tmp = work / "tf"
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl",
                                                            "terraform.tfstate*"))
    for f in sorted(tmp.glob("*.tf")):
        text = f.read_text()
        # Variable blocks keep their defaults: moto's ids reach them through the tfvars file.
        parts = re.split(r'(?ms)(^variable\s+"[^"]+"\s*\{.*?^\})', text)
        new = "".join(part if i % 2 else fx.replace_literal_ids(part, f"{src}/{f.name}", notes)
                      for i, part in enumerate(parts))
        if new != text:
            f.write_text(new)

    has_provider = any(re.search(r'(?m)^provider\s+"aws"', f.read_text()) for f in tmp.glob("*.tf"))
    # An override file merges into an existing provider block; a plain file adds the only one.
    (tmp / ("zz_moto_override.tf" if has_provider else "zz_moto_provider.tf")).write_text(
        provider_block(fx.region, moto))

    init_args = ["init", "-input=false"]
    backend = next((m for f in tmp.glob("*.tf")
                    for m in re.finditer(r'(?ms)^\s*backend\s+"(\w+)"\s*\{(.*?)^\s*\}', f.read_text())), None)
    if backend and backend.group(1) == "s3":
        # The state bucket the house style names, in moto's S3: the backend block is exercised
        # as written (bucket, key, region, encryption, S3 lock file), only its endpoint moved.
        body = backend.group(2)
        bucket = re.search(r'bucket\s*=\s*"([^"]+)"', body).group(1)
        bregion = (re.search(r'region\s*=\s*"([^"]+)"', body) or [None, fx.region])[1]
        s3 = moto.client("s3", bregion)
        kwargs = {} if bregion == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": bregion}}
        s3.create_bucket(Bucket=bucket, **kwargs)
        (work / "moto.s3.tfbackend").write_text(
            f'endpoints = {{ s3 = "{moto.url}" }}\nuse_path_style = true\n'
            f'access_key = "{moto.access_key}"\nsecret_key = "{moto.secret_key}"\n'
            'skip_credentials_validation = true\n'
            'skip_requesting_account_id = true\nskip_metadata_api_check = true\n'
            'skip_region_validation = true\n')
        init_args.append(f"-backend-config={work / 'moto.s3.tfbackend'}")
        notes.append(f"{src}: S3 backend {bucket} served by moto")
    elif backend:
        (tmp / "zz_moto_backend_override.tf").write_text(
            "# Written by .ci/deploy_moto.py: state stays in the temporary copy.\n"
            'terraform {\n  backend "local" {}\n}\n')

    tfvars: dict[str, object] = {}
    for name in declared_variables(sorted(tmp.glob("*.tf"))):
        if name not in fx.values:
            raise Failure(f"variable {name!r}: deploy_moto.py does not know what moto value it "
                          f"takes (it knows {sorted(fx.values) or 'none: the spec creates its VPC'})")
        tfvars[name] = fx.values[name]
    (work / "moto.tfvars.json").write_text(json.dumps(tfvars, indent=2))
    var_arg = f"-var-file={work / 'moto.tfvars.json'}"

    tf = Terraform(tmp, work / "terraform.log")
    tf.run(*init_args)
    tf.run("plan", "-input=false", var_arg, f"-out={work / 'apply.tfplan'}")
    plan = tf.show(str(work / "apply.tfplan"))
    # The defaults are the spec's values: mapped to moto they must be what was passed, or the
    # example was deployed with other inputs than its own.
    for name, var in (plan.get("configuration", {}).get("root_module", {}).get("variables") or {}).items():
        if "default" in var and name in tfvars and fx.map_value(var["default"], f"variable {name}") != tfvars[name]:
            raise Failure(f"variable {name}: default {var['default']!r} is not the spec's value "
                          f"(mapped to moto: {tfvars[name]!r})")
    # The provider sleeps 15 s after every Route 53 change before it asks whether the change
    # is in sync (GetChange; moto answers INSYNC at once), so each zone, record and association
    # holds one of Terraform's 10 slots for 15 s: a hub's 29 Route 53 resources take 4 waves to
    # apply and as many to destroy. With a slot each they take 2 (zones, then their records and
    # associations), which halves the path's time; nothing else waits, so nothing else changes.
    r53 = [rc for rc in plan.get("resource_changes", []) if rc["type"].startswith("aws_route53_")]
    par = [f"-parallelism={max(10, len(r53) + 10)}"] if r53 else []
    tf.run("apply", "-input=false", "-auto-approve", *par, str(work / "apply.tfplan"))
    state = json.loads(tf.run("state", "pull").stdout)
    view = PlanView(plan, state)

    errors: list[str] = []
    gaps = Gaps()
    compare_terraform(fx, view, errors, gaps)
    if errors:
        raise Failure("moto does not hold what the plan asked for:\n" + "\n".join(f"  {e}" for e in errors))

    for kind in drift or []:
        notes.append(plant_drift(fx, view, kind))

    # No changes after apply: anything else is drift in the generated code, or moto not storing
    # an attribute (MOTO_REPLAN_GAPS lists those, each with its reason).
    proc = tf.run("plan", "-input=false", "-detailed-exitcode", var_arg,
                  f"-out={work / 'replan.tfplan'}", ok=(0, 2))
    if proc.returncode == 2:
        replan = tf.show(str(work / "replan.tfplan"))
        changes = []
        # Only planned changes count: resource_drift also lists what other resources of this
        # configuration changed (a group's computed inline rules after its rule resources).
        for rc in replan.get("resource_changes", []):
            actions = rc["change"]["actions"]
            if actions in (["no-op"], ["read"]):
                continue
            before = rc["change"].get("before") or {}
            after = rc["change"].get("after") or {}
            unknown = [k for k, v in (rc["change"].get("after_unknown") or {}).items() if v]
            replace = sorted(actions) == ["create", "delete"]
            if replace:
                # A replacement makes every computed attribute unknown (id, arn, ...): those
                # follow from it. What counts is what forces it (replace_paths) and the
                # attributes the configuration sets to another value than moto holds.
                # An attribute the configuration leaves unset is null in the new object where
                # the provider read "" (or []) back: both are empty, not a change.
                paths = [p for p in diff_paths(before, after)
                         if p.split(".")[0].split("[")[0] not in unknown
                         and (_at(before, p) not in (None, "", [], {}) or _at(after, p) not in (None, "", [], {}))]
                paths += [".".join(str(x) for x in rp) for rp in rc["change"].get("replace_paths") or []
                          if ".".join(str(x) for x in rp) not in paths]
                unknown = []
            else:
                paths = diff_paths(before, after)
            real = [p for p in paths + unknown if not moto_replan_gap(rc["type"], p, before, after)]
            for p in paths:
                if why := moto_replan_gap(rc["type"], p, before, after):
                    gaps.add(f"re-plan ignores {p}: {why}", rc["address"])
            if actions == ["create"]:
                changes.append(f"  {rc['address']}: create: it is gone from moto")
            elif actions == ["delete"]:
                changes.append(f"  {rc['address']}: delete: moto holds it, the configuration does not")
            elif real or actions not in (["update"], ["delete", "create"], ["create", "delete"]):
                detail = ", ".join(
                    f"{p}: {_at(rc['change'].get('before'), p)!r} -> {_at(rc['change'].get('after'), p)!r}"
                    for p in real) or "(no attribute differs)"
                changes.append(f"  {rc['address']}: {'/'.join(actions)}: {detail}")
        if changes:
            raise Failure("terraform plan after apply wants changes (drift):\n" + "\n".join(changes))

    vpc_ids = sorted({v for v in [fx.values.get("vpc_id")] if v} |
                     {i["values"]["id"] for i in view.by_config.get("aws_vpc.this", [])} |
                     {view.value(rc, "vpc_id") for rc in view.instances("aws_vpc_endpoint")})
    # The re-plan has just refreshed the state; refreshing again would only start the provider
    # once more (Terraform's destroy runs a refresh walk of its own first).
    tf.run("destroy", "-input=false", "-auto-approve", "-refresh=false", *par, var_arg)
    left = fx.live_endpoints(vpc_ids)
    if left:
        raise Failure(f"terraform destroy left endpoints in moto: {[e['VpcEndpointId'] for e in left]}")
    sg_ids = [view.state_id(rc) for rc in view.instances("aws_security_group")]
    if sg_ids:
        remaining = [g["GroupId"] for g in fx.ec2.describe_security_groups(
            Filters=[{"Name": "group-id", "Values": sg_ids}])["SecurityGroups"]]
        if remaining:
            raise Failure(f"terraform destroy left security groups in moto: {remaining}")
    n_zones = len(view.instances("aws_route53_zone"))
    if n_zones or view.instances("aws_route53_record"):
        left = zones_left(fx)
        if left:
            raise Failure(f"terraform destroy left hosted zones in moto: {left}")
    n_ep = len(view.instances("aws_vpc_endpoint"))
    zones = f", {n_zones} hosted zones" if n_zones else ""
    notes.append(f"{len(view.changes)} resources, {n_ep} endpoints{zones} applied, matched, "
                 "re-planned clean, destroyed")
    return notes + gaps.lines()


def _at(value, path: str):
    for part in path.replace("[]", "").split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return value
    return value


def compare_terraform(fx: Fixture, view: PlanView, errors: list[str], gaps: Gaps) -> None:
    ec2 = fx.ec2
    eps = view.instances("aws_vpc_endpoint")
    want: dict[str, dict] = {}
    label: dict[str, str] = {}
    created_rtbs: dict[str, set[str]] = {}
    for rc in eps:
        eid = view.state_id(rc)
        for attr, api in (("dns_options", "DnsOptions"), ("ip_address_type", "IpAddressType"),
                          ("service_region", "ServiceRegion"),
                          ("resource_configuration_arn", "ResourceConfigurationArn"),
                          ("service_network_arn", "ServiceNetworkArn")):
            if view.value(rc, attr):
                gaps.add(f"moto ignores {api} on CreateVpcEndpoint; {attr} not checked", rc["address"])
        label[eid] = rc["address"]
        rtbs = view.value(rc, "route_table_ids") or []
        created_rtbs[eid] = set(rtbs)
        want[eid] = {
            "service_name": view.value(rc, "service_name"),
            "type": view.value(rc, "vpc_endpoint_type") or "Gateway",
            "vpc_id": view.value(rc, "vpc_id"),
            "subnet_ids": list(view.value(rc, "subnet_ids") or []),
            "security_group_ids": list(view.value(rc, "security_group_ids") or []),
            "route_table_ids": list(rtbs),
            "policy": view.value(rc, "policy"),
            "private_dns": view.value(rc, "private_dns_enabled"),
            "tags": view.value(rc, "tags_all") or view.value(rc, "tags") or {},
        }
    # Separate association resources add to an endpoint what its own block leaves out.
    for rtype, key, field in (("aws_vpc_endpoint_route_table_association", "route_table_id", "route_table_ids"),
                              ("aws_vpc_endpoint_subnet_association", "subnet_id", "subnet_ids"),
                              ("aws_vpc_endpoint_security_group_association", "security_group_id",
                               "security_group_ids")):
        for rc in view.instances(rtype):
            eid = view.value(rc, "vpc_endpoint_id")
            if eid not in want:
                errors.append(f"{rc['address']}: its endpoint {eid} is not one this configuration creates")
                continue
            want[eid][field].append(view.value(rc, key))
    for rc in view.instances("aws_vpc_endpoint_policy"):
        want[view.value(rc, "vpc_endpoint_id")]["policy"] = view.value(rc, "policy")

    fx.note_unlisted_services([w["service_name"] for w in want.values()], gaps)
    vpc_ids = sorted({w["vpc_id"] for w in want.values()})
    live = {e["VpcEndpointId"]: e for e in fx.live_endpoints(vpc_ids)} if vpc_ids else {}
    for eid, w in sorted(want.items(), key=lambda kv: label[kv[0]]):
        got = live.pop(eid, None)
        if got is None:
            errors.append(f"{label[eid]}: endpoint {eid} is not in moto")
            continue
        compare_endpoint(label[eid], w, got, errors, gaps)
        if w["type"] == "Gateway":
            check_gateway_routes(ec2, label[eid], got, created_rtbs[eid], errors, gaps)
    for eid, e in live.items():
        errors.append(f"moto holds endpoint {eid} ({e['ServiceName']}) that the plan does not create")

    # Routes: each aws_route in its table, to its destination, through its target.
    for rc in view.instances("aws_route"):
        dests = [(api, view.value(rc, attr)) for api, attr in (
            ("DestinationCidrBlock", "destination_cidr_block"),
            ("DestinationIpv6CidrBlock", "destination_ipv6_cidr_block"),
            ("DestinationPrefixListId", "destination_prefix_list_id")) if view.value(rc, attr)]
        targets = {view.value(rc, a) for a in (
            "gateway_id", "nat_gateway_id", "egress_only_gateway_id", "transit_gateway_id",
            "network_interface_id", "vpc_peering_connection_id", "carrier_gateway_id",
            "vpc_endpoint_id", "local_gateway_id", "core_network_arn") if view.value(rc, a)}
        if len(dests) != 1:
            errors.append(f"{rc['address']}: {len(dests)} destinations planned: {dests}")
            continue
        check_route(ec2, rc["address"], view.value(rc, "route_table_id"), dests[0], targets, errors)

    # Security groups: the rules the configuration writes, and no others (egress included:
    # the provider removes AWS's allow-all egress rule unless egress is configured).
    groups: dict[str, dict] = {}
    for rc in view.instances("aws_security_group"):
        gid = view.state_id(rc)
        conf = view.config.get(f"{rc['type']}.{rc['name']}", {}).get("expressions", {})
        groups[gid] = {"label": rc["address"], "vpc_id": view.value(rc, "vpc_id"),
                       "description": view.value(rc, "description"),
                       "ingress": _inline_rules(view.value(rc, "ingress")) if "ingress" in conf else set(),
                       "egress": _inline_rules(view.value(rc, "egress")) if "egress" in conf else set()}
    for rc in view.instances("aws_default_security_group"):
        gid = view.state_id(rc)
        groups[gid] = {"label": rc["address"], "vpc_id": view.value(rc, "vpc_id"),
                       "description": None, "ingress": set(), "egress": set()}
    for direction in ("ingress", "egress"):
        for rc in view.instances(f"aws_vpc_security_group_{direction}_rule"):
            gid = view.value(rc, "security_group_id")
            if gid not in groups:
                errors.append(f"{rc['address']}: its group {gid} is not one this configuration manages")
                continue
            proto = str(view.value(rc, "ip_protocol"))
            lo, hi = (None, None) if proto == "-1" else (view.value(rc, "from_port"), view.value(rc, "to_port"))
            for kind, attr in (("cidr", "cidr_ipv4"), ("cidr6", "cidr_ipv6"),
                               ("group", "referenced_security_group_id"), ("prefix", "prefix_list_id")):
                v = view.value(rc, attr)
                if v:
                    groups[gid][direction].add((proto, lo, hi, kind, v, view.value(rc, "description") or None))
    if view.instances("aws_security_group_rule"):
        errors.append("aws_security_group_rule resources are not compared yet: teach compare_terraform")
    for gid, g in groups.items():
        found = ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"]
        if not found:
            errors.append(f"{g['label']}: security group {gid} is not in moto")
            continue
        sg = found[0]
        if sg.get("VpcId") != g["vpc_id"]:
            errors.append(f"{g['label']}: VPC: asks for {g['vpc_id']}, moto holds {sg.get('VpcId')}")
        if g["description"] is not None and sg.get("Description") != g["description"]:
            errors.append(f"{g['label']}: description: asks for {g['description']!r}, "
                          f"moto holds {sg.get('Description')!r}")
        for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            got = rule_set(sg.get(key, []))
            if got != g[direction]:
                errors.append(f"{g['label']}: {direction} rules: the configuration writes "
                              f"{fmt_rules(g[direction])}; moto holds {fmt_rules(got)}")

    compare_route53_terraform(fx, view, errors, gaps)


# --------------------------------------------------------------------------------------------
# Route 53: a hub's private hosted zones and alias records


def dns_name(name: str | None) -> str | None:
    """A DNS name as Route 53 compares it: without the final dot, in lower case, with the
    escaped wildcard (\\052, as AWS lists it) written as *."""
    if name is None:
        return None
    return name.replace("\\052", "*").rstrip(".").lower()


# The records Route 53 makes itself at a zone's apex.
ZONE_OWN_TYPES = ("NS", "SOA")


def held_zone(fx: Fixture, zone_id: str) -> dict | None:
    """What moto holds for a hosted zone: name, privacy, comment, VPCs, tags and records (those
    Route 53 makes itself at the apex left out), or None when moto has no such zone."""
    r53 = fx.route53
    try:
        got = r53.get_hosted_zone(Id=zone_id)
    except r53.exceptions.NoSuchHostedZone:
        return None
    hz = got["HostedZone"]
    apex = dns_name(hz["Name"])
    records, kwargs = [], {}
    while True:
        page = r53.list_resource_record_sets(HostedZoneId=zone_id, **kwargs)
        records += [r for r in page["ResourceRecordSets"]
                    if not (r["Type"] in ZONE_OWN_TYPES and dns_name(r["Name"]) == apex)]
        if not page.get("IsTruncated"):
            break
        kwargs = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
    tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id.split("/")[-1])
    return {
        "name": apex,
        "private": bool((hz.get("Config") or {}).get("PrivateZone")),
        "comment": (hz.get("Config") or {}).get("Comment"),
        "vpcs": {(v.get("VPCId"), v.get("VPCRegion")) for v in got.get("VPCs") or []},
        "tags": {t["Key"]: t["Value"] for t in tags.get("ResourceTagSet", {}).get("Tags") or []},
        "records": records,
    }


def compare_zone(fx: Fixture, label: str, want: dict, got: dict, errors: list[str]) -> None:
    """want: name, private, vpcs (a set of VPC ids), comment and tags (each None where the
    deployment sets none, so nothing is compared)."""
    def diff(what, a, b):
        if a != b:
            errors.append(f"{label}: {what}: the deployment asks for {a!r}, moto holds {b!r}")

    diff("name", dns_name(want["name"]), got["name"])
    diff("private zone", want["private"], got["private"])
    diff("VPC associations", sorted(want["vpcs"]), sorted(v for v, _ in got["vpcs"]))
    wrong_region = sorted(f"{v} ({r})" for v, r in got["vpcs"] if r != fx.region)
    if wrong_region:
        errors.append(f"{label}: associated with VPCs of another Region than {fx.region}: {wrong_region}")
    # AWS refuses to associate a VPC that does not exist (InvalidVPCId); moto does not look.
    unknown = sorted(v for v, _ in got["vpcs"] if not fx.vpc_exists(v))
    if unknown:
        errors.append(f"{label}: associated with {unknown}, which moto's EC2 does not hold (AWS "
                      "would refuse the association)")
    if want.get("comment") is not None:
        diff("comment", want["comment"], got["comment"])
    if want.get("tags") is not None:
        diff("tags", want["tags"], got["tags"])


def compare_records(label: str, want: list[dict], got: dict, errors: list[str]) -> None:
    """want: one {label, name, type, alias: {dns_name, zone_id, evaluate_target_health}} per
    record the deployment makes in the zone; moto must hold exactly those (besides the apex's
    NS and SOA)."""
    held = {(dns_name(r["Name"]), r["Type"], r.get("SetIdentifier")): r for r in got["records"]}
    for w in want:
        r = held.pop((dns_name(w["name"]), w["type"], None), None)
        if r is None:
            errors.append(f"{w['label']}: no {w['type']} record {w['name']} in moto's zone "
                          f"{got['name']} (it holds {sorted(k[:2] for k in held) or 'none'})")
            continue
        a = r.get("AliasTarget")
        if a is None:
            errors.append(f"{w['label']}: moto holds a plain record ({r.get('ResourceRecords')}), "
                          "not an alias")
            continue
        for what, x, y in (("alias DNS name", dns_name(w["alias"]["dns_name"]), dns_name(a.get("DNSName"))),
                           ("alias hosted zone", w["alias"]["zone_id"], a.get("HostedZoneId")),
                           ("alias evaluate target health", bool(w["alias"]["evaluate_target_health"]),
                            str(a.get("EvaluateTargetHealth")).lower() == "true")):
            if x != y:
                errors.append(f"{w['label']}: {what}: the deployment asks for {x!r}, moto holds {y!r}")
        if r.get("ResourceRecords") or r.get("TTL") is not None:
            errors.append(f"{w['label']}: an alias record with records or a TTL in moto: {r}")
    for (name, rtype, _), r in sorted(held.items(), key=lambda kv: str(kv[0])):
        errors.append(f"{label}: moto holds a {rtype} record {name} that the deployment does not make")


def note_endpoint_dns(gaps: Gaps, subject: str) -> None:
    gaps.add("moto gives an interface endpoint one DNS entry, named vpce-...-xxxxxxxx.<service "
             "name> in a random hosted zone (AWS: the Regional name "
             "vpce-...-xxxxxxxx.<service>.<region>.vpce.amazonaws.com first, then one per zone); "
             "alias targets are checked to be the endpoint's first entry as moto holds it", subject)


def _state_at(view: "PlanView", ref: str):
    """The applied value a reference names, walked through the state:
    aws_vpc_endpoint.ssm.dns_entry[0].dns_name, aws_route53_zone.ssm.zone_id."""
    steps = re.findall(r'\.([A-Za-z_][\w-]*)|\[("(?:[^"\\]|\\.)*"|\d+)\]', "." + ref)
    if len(steps) < 2 or not steps[0][0] or not steps[1][0]:
        return None
    base, rest = f"{steps[0][0]}.{steps[1][0]}", steps[2:]
    if rest and rest[0][1]:
        inst, rest = view.state.get(f"{base}[{rest[0][1]}]"), rest[1:]
    else:
        inst = view.state.get(base)
    if inst is None:
        return None
    value = inst["values"]
    for attr, index in rest:
        if attr:
            value = value.get(attr) if isinstance(value, dict) else None
        else:
            i = json.loads(index)
            value = value[i] if isinstance(value, list) and isinstance(i, int) and i < len(value) else None
    return value


def block_value(view: "PlanView", rc: dict, block: str, attr: str):
    """attr of the first `block` block of a planned resource: as planned where it is known,
    else what the configuration's reference names in the applied state (the alias of a record
    is the endpoint's dns_entry[0], unknown until the endpoint exists)."""
    after = ((rc["change"]["after"] or {}).get(block) or [{}])[0]
    if after.get(attr) is not None:
        return after[attr]
    conf = view.config.get(f"{rc['type']}.{rc['name']}", {}).get("expressions", {})
    expr = (conf.get(block) or [{}])[0].get(attr) or {}
    if "constant_value" in expr:
        return expr["constant_value"]
    refs = sorted(expr.get("references") or [], key=len, reverse=True)
    value = _state_at(view, refs[0]) if refs else None
    if value is None:
        raise Failure(f"cannot tell from the configuration what {rc['address']}.{block}.{attr} should "
                      f"be (references: {refs})")
    return value


def compare_route53_terraform(fx: Fixture, view: "PlanView", errors: list[str], gaps: Gaps) -> int:
    """Each aws_route53_zone in moto with its planned name, privacy, comment and tags, associated
    with the VPCs of its vpc blocks and of every aws_route53_zone_association of it; each
    aws_route53_record in its zone, an alias to what the state says its target is (the hub's
    endpoint's dns_entry[0]); and no zone or record the plan does not make. Returns the number
    of zones."""
    zones = view.instances("aws_route53_zone")
    if not zones and not view.instances("aws_route53_record"):
        return 0
    want: dict[str, dict] = {}
    for rc in zones:
        zid = view.state_id(rc)
        vpcs = view.value(rc, "vpc") or []
        want[zid] = {"label": rc["address"], "name": view.value(rc, "name"), "private": bool(vpcs),
                     "vpcs": {v["vpc_id"] for v in vpcs},
                     # The provider writes "Managed by Terraform" where the configuration sets none.
                     "comment": view.value(rc, "comment") or "Managed by Terraform",
                     "tags": view.value(rc, "tags_all") or {}, "records": []}
    for rc in view.instances("aws_route53_zone_association"):
        zid = view.value(rc, "zone_id")
        if zid not in want:
            errors.append(f"{rc['address']}: its zone {zid} is not one this configuration creates")
            continue
        want[zid]["vpcs"].add(view.value(rc, "vpc_id"))
    for rc in view.instances("aws_route53_record"):
        zid = view.value(rc, "zone_id")
        if zid not in want:
            errors.append(f"{rc['address']}: its zone {zid} is not one this configuration creates")
            continue
        if not (rc["change"]["after"] or {}).get("alias"):
            errors.append(f"{rc['address']}: not an alias record: teach compare_route53_terraform")
            continue
        alias = {"dns_name": block_value(view, rc, "alias", "name"),
                 "zone_id": block_value(view, rc, "alias", "zone_id"),
                 "evaluate_target_health": block_value(view, rc, "alias", "evaluate_target_health")}
        refs = (view.config.get(f"{rc['type']}.{rc['name']}", {}).get("expressions", {})
                .get("alias") or [{}])[0].get("name", {}).get("references") or []
        if any(r.startswith("aws_vpc_endpoint.") for r in refs):
            note_endpoint_dns(gaps, rc["address"])
        want[zid]["records"].append({"label": rc["address"], "name": view.value(rc, "name"),
                                     "type": view.value(rc, "type"), "alias": alias})
    for zid, w in sorted(want.items(), key=lambda kv: kv[1]["label"]):
        got = held_zone(fx, zid)
        if got is None:
            errors.append(f"{w['label']}: hosted zone {zid} is not in moto")
            continue
        compare_zone(fx, w["label"], w, got, errors)
        compare_records(w["label"], w["records"], got, errors)
    for z in fx.route53.list_hosted_zones()["HostedZones"]:
        if z["Id"].split("/")[-1] not in want:
            errors.append(f"moto holds hosted zone {z['Id']} ({z['Name']}) that the plan does not create")
    return len(want)


def zones_left(fx: Fixture) -> list[str]:
    return [f"{z['Id'].split('/')[-1]} ({z['Name']})" for z in fx.route53.list_hosted_zones()["HostedZones"]]


def _inline_rules(blocks) -> set[tuple]:
    out = set()
    for b in blocks or []:
        proto = str(b.get("protocol"))
        lo, hi = (None, None) if proto == "-1" else (b.get("from_port"), b.get("to_port"))
        desc = b.get("description") or None
        for c in b.get("cidr_blocks") or []:
            out.add((proto, lo, hi, "cidr", c, desc))
        for c in b.get("ipv6_cidr_blocks") or []:
            out.add((proto, lo, hi, "cidr6", c, desc))
        for g in b.get("security_groups") or []:
            out.add((proto, lo, hi, "group", g, desc))
        for p in b.get("prefix_list_ids") or []:
            out.add((proto, lo, hi, "prefix", p, desc))
    return out


def plant_drift(fx: Fixture, view: PlanView, kind: str) -> str:
    """For negative-checks.sh: a change in moto that Terraform did not make."""
    if kind == "policy":
        for rc in sorted(view.instances("aws_vpc_endpoint"), key=lambda r: r["address"]):
            if view.value(rc, "policy"):
                eid = view.state_id(rc)
                deny = {"Version": "2012-10-17", "Statement": [
                    {"Sid": "PlantedDrift", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
                fx.ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=json.dumps(deny))
                return f"planted drift: the policy of {rc['address']} ({eid}) replaced in moto"
    if kind == "ingress":
        for rc in sorted(view.instances("aws_vpc_security_group_ingress_rule"), key=lambda r: r["address"]):
            gid = view.value(rc, "security_group_id")
            rule_id = view.state_id(rc)
            fx.ec2.revoke_security_group_ingress(GroupId=gid, SecurityGroupRuleIds=[rule_id])
            return f"planted drift: ingress rule {rc['address']} ({rule_id}) removed in moto"
    raise Failure(f"--inject-drift {kind}: nothing in this configuration to change")


# --------------------------------------------------------------------------------------------
# CloudFormation


# The Fn::GetAtt attributes of AWS::EC2::VPCEndpoint the moto server answers: DnsEntries, by
# moto itself or, while moto lacks it, by moto_server_shims().
SERVED_VPCE_GETATTS = {"DnsEntries"}


class CfnView:
    """Resolves the intrinsic functions the generated templates use, against the stack's
    parameters and physical ids."""

    def __init__(self, template: dict, params: dict[str, object], physical: dict[str, str], ec2):
        self.t, self.params, self.physical, self.ec2 = template, params, physical, ec2

    def __call__(self, v):
        if isinstance(v, list):
            return [self(x) for x in v]
        if isinstance(v, dict) and len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref":
                if arg in self.params:
                    return self.params[arg]
                if arg in self.physical:
                    return self.physical[arg]
                if arg == "AWS::Region":
                    return self.ec2.meta.region_name
                raise Failure(f"Ref {arg}: no such parameter or resource in the stack")
            if k == "Fn::GetAtt":
                res, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                rtype = self.t["Resources"][res]["Type"]
                if (rtype, attr) == ("AWS::EC2::VPC", "CidrBlock"):
                    return self.ec2.describe_vpcs(VpcIds=[self.physical[res]])["Vpcs"][0]["CidrBlock"]
                if (rtype, attr) == ("AWS::EC2::VPCEndpoint", "DnsEntries"):
                    # CloudFormation's "hosted zone id:DNS name", from what EC2 describes (not
                    # from what moto's CloudFormation, shimmed, answered the template).
                    ep = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[self.physical[res]])["VpcEndpoints"][0]
                    return [f"{e['HostedZoneId']}:{e['DnsName']}" for e in ep.get("DnsEntries") or []]
                raise Failure(f"Fn::GetAtt {res}.{attr}: not resolved by deploy_moto.py")
            if k == "Fn::Join":
                sep, items = arg
                return sep.join(str(x) for x in _flatten(self(items)))
            if k == "Fn::Split":
                sep, text = arg
                return str(self(text)).split(sep)
            if k == "Fn::Select":
                index, items = arg
                items = self(items)
                if not isinstance(items, list) or not 0 <= int(index) < len(items):
                    raise Failure(f"Fn::Select {index} of {items!r}: no such item")
                return items[int(index)]
            if k == "Fn::Sub" and isinstance(arg, str):
                def one(m):
                    name = m.group(1)
                    if "." in name:
                        return str(self({"Fn::GetAtt": name.split(".", 1)}))
                    return str(self({"Ref": name}))
                return re.sub(r"\$\{([^}!]+)\}", one, arg)
            if k.startswith("Fn::"):
                raise Failure(f"{k}: not resolved by deploy_moto.py")
        if isinstance(v, dict):
            return {k: self(x) for k, x in v.items()}
        return v


def _flatten(v):
    for x in v:
        if isinstance(x, list):
            yield from _flatten(x)
        else:
            yield x


def deploy_cloudformation(moto: Account, src: Path, work: Path, drift: list[str] | None,
                          notes: list[str]) -> list[str]:
    gaps = Gaps()
    if drift:
        raise Skip("--inject-drift applies to Terraform only")
    text = src.read_text()
    template = json.loads(text) if src.suffix == ".json" else yaml.safe_load(text)
    spec = (template.get("Metadata", {}).get("vpcgen", {}) or {}).get("spec")
    spec_path = REPO / spec if spec and (REPO / spec).is_file() else find_spec([src])
    if why := moto_skip("cloudformation", template):
        raise Skip(why)
    fx = Fixture(moto, spec_path)

    deployed = copy.deepcopy(template)
    # Literal spec ids outside Parameters (a subset of route tables, a client group).
    for section in ("Resources", "Outputs"):
        raw = json.dumps(deployed.get(section, {}))
        new = fx.replace_literal_ids(raw, f"{src} {section}", notes)
        deployed[section] = json.loads(new)
    # Shim: moto's VPCEndpoint has no Fn::GetAtt but the DnsEntries moto_server_shims() gives it
    # (NetworkInterfaceIds, CreationTimestamp, ...). Used in Resources another one fails the
    # stack; in Outputs a single one makes moto drop every output of the stack
    # (new-vpc-private: 0 of 21). Such outputs are rewritten to a placeholder so that the others
    # are still checked; resources are left as they are. DnsEntries outputs are deployed as
    # written and their values checked below.
    for name, out in (deployed.get("Outputs") or {}).items():
        raw = json.dumps(out.get("Value"))
        for m in re.finditer(r'"Fn::GetAtt": \["(\w+)", "(\w+)"\]', raw):
            if template["Resources"].get(m.group(1), {}).get("Type") == "AWS::EC2::VPCEndpoint" \
                    and m.group(2) not in SERVED_VPCE_GETATTS:
                out["Value"] = f"moto-has-no-GetAtt-{m.group(1)}.{m.group(2)}"
                gaps.add(f"moto has no Fn::GetAtt {m.group(2)} for a VPC endpoint; a placeholder "
                         "was deployed and the output is not checked", name)
                break

    params: dict[str, object] = {}
    cfn_params = []
    for name, p in (template.get("Parameters") or {}).items():
        if "Default" not in p:
            raise Failure(f"parameter {name} has no default: deploy_moto.py does not know its moto value")
        value = fx.map_value(p["Default"], f"parameter {name}")
        if name == "VpcCidr" and value != fx.cidr:
            raise Failure(f"parameter VpcCidr: default {value!r} is not the spec's CIDR {fx.cidr!r}")
        ipv6_spec = (fx.spec.get("vpc") or {}).get("ipv6_cidr")
        if name == "VpcIpv6Cidr" and p["Default"] != ipv6_spec:
            raise Failure(f"parameter VpcIpv6Cidr: default {p['Default']!r} is not the spec's IPv6 "
                          f"block {ipv6_spec!r}")
        is_list = p["Type"].startswith("List<") or p["Type"] == "CommaDelimitedList"
        params[name] = [s.strip() for s in value.split(",")] if is_list else value
        cfn_params.append({"ParameterKey": name, "ParameterValue": value})

    cfn = moto.client("cloudformation", fx.region)
    stack = re.sub(r"[^A-Za-z0-9-]", "-", f"vpcgen-{fx.spec['name']}")[:120]
    (work / "template.deployed.json").write_text(json.dumps(deployed, indent=1))
    try:
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(deployed), Parameters=cfn_params)
    except Exception as e:  # botocore's ClientError or a 500 from moto: both mean "rejected"
        raise Failure(f"create_stack rejected the template: {e}\n  moto log:\n{indent(moto.log_tail())}")
    status, reason = _wait_stack(cfn, stack, "CREATE")
    if status != "CREATE_COMPLETE":
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events
                  if "FAILED" in e.get("ResourceStatus", "")]
        raise Failure(f"stack {status}: {reason}; {failed}\nmoto log:\n{indent(moto.log_tail())}")

    res = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in res}
    resources = template["Resources"]
    # moto skips a type it does not model and still completes the stack: name each such resource.
    missing = sorted(k for k in resources if k not in physical)
    if missing:
        raise Failure(f"moto created no resource for {missing} (types "
                      f"{sorted({resources[k]['Type'] for k in missing})}): moto skips types it does not model")
    view = CfnView(deployed, params, physical, fx.ec2)

    errors: list[str] = []
    want: dict[str, dict] = {}
    for logical, r in sorted(resources.items()):
        if r["Type"] != "AWS::EC2::VPCEndpoint":
            continue
        p = view(deployed["Resources"][logical]["Properties"])
        ignored = sorted(set(p) & {"ServiceRegion", "IpAddressType", "DnsOptions", "Tags",
                                   "ResourceConfigurationArn", "ServiceNetworkArn"})
        if ignored:
            gaps.add(f"moto ignores {', '.join(ignored)} on AWS::EC2::VPCEndpoint; not checked", logical)
        want[physical[logical]] = (logical, {
            "service_name": p.get("ServiceName"),
            "type": p.get("VpcEndpointType", "Gateway"),
            "vpc_id": p.get("VpcId"),
            "subnet_ids": list(p.get("SubnetIds") or []),
            "security_group_ids": list(p.get("SecurityGroupIds") or []),
            "route_table_ids": list(p.get("RouteTableIds") or []),
            "policy": p.get("PolicyDocument"),
            "private_dns": p.get("PrivateDnsEnabled", False),
        })
    fx.note_unlisted_services([w["service_name"] for _, w in want.values()], gaps)
    vpc_ids = sorted({w["vpc_id"] for _, w in want.values()})
    live = {e["VpcEndpointId"]: e for e in fx.live_endpoints(vpc_ids)} if vpc_ids else {}
    for eid, (logical, w) in sorted(want.items(), key=lambda kv: kv[1][0]):
        got = live.pop(eid, None)
        if got is None:
            errors.append(f"{logical}: endpoint {eid} is not in moto")
            continue
        compare_endpoint(logical, w, got, errors, gaps)
        if w["type"] == "Gateway":
            check_gateway_routes(fx.ec2, logical, got, set(w["route_table_ids"]), errors, gaps)
    for eid, e in live.items():
        errors.append(f"moto holds endpoint {eid} ({e['ServiceName']}) that the template does not create")

    sg_ids = []
    for logical, r in sorted(resources.items()):
        if r["Type"] != "AWS::EC2::SecurityGroup":
            continue
        p = view(deployed["Resources"][logical]["Properties"])
        gid = physical[logical]
        sg_ids.append(gid)
        found = fx.ec2.describe_security_groups(GroupIds=[gid])["SecurityGroups"]
        if not found:
            errors.append(f"{logical}: security group {gid} is not in moto")
            continue
        sg = found[0]
        if sg.get("VpcId") != p.get("VpcId"):
            errors.append(f"{logical}: VPC: asks for {p.get('VpcId')}, moto holds {sg.get('VpcId')}")
        if sg.get("Description") != p.get("GroupDescription"):
            errors.append(f"{logical}: description: asks for {p.get('GroupDescription')!r}, "
                          f"moto holds {sg.get('Description')!r}")
        # moto's CloudFormation handler for AWS::EC2::SecurityGroup passes each ingress rule's
        # protocol, ports, CidrIp and SourceSecurityGroupId to AuthorizeSecurityGroupIngress and
        # drops its Description, and never reads SecurityGroupEgress: the group keeps the
        # allow-all egress rule every new group gets. So ingress is compared without
        # descriptions, and egress must be moto's default; if moto starts honouring either,
        # this check fails and the tolerance is to be dropped.
        want_in = {r[:5] + (None,) for r in _cfn_rules(p.get("SecurityGroupIngress"))}
        got_in = {r[:5] + (None,) for r in rule_set(sg.get("IpPermissions", []))}
        # The same handler reads CidrIp only, never CidrIpv6: a rule whose peer is an IPv6
        # range becomes a permission without a range. Where moto holds no IPv6 rule at all,
        # the template's IPv6 rules are set aside (and said so); every other rule is compared
        # as before, and an IPv6 rule moto does hold must be the template's.
        want6 = {r for r in want_in if r[3] == "cidr6"}
        if want6 and not any(r[3] == "cidr6" for r in got_in):
            want_in -= want6
            gaps.add("moto's CloudFormation drops CidrIpv6 from AWS::EC2::SecurityGroup ingress "
                     f"rules; not checked: {fmt_rules(want6)}", logical)
        if got_in != want_in:
            errors.append(f"{logical}: ingress rules: the template writes {fmt_rules(want_in)}; "
                          f"moto holds {fmt_rules(got_in)} (descriptions not compared)")
        else:
            gaps.add("moto drops ingress rule descriptions; rules compared without them", logical)
        moto_default = {("-1", None, None, "cidr", "0.0.0.0/0", None)}
        # In a VPC with an IPv6 block a new group also allows all IPv6 egress, in AWS and moto.
        if fx.ec2.describe_vpcs(VpcIds=[sg["VpcId"]])["Vpcs"][0].get("Ipv6CidrBlockAssociationSet"):
            moto_default.add(("-1", None, None, "cidr6", "::/0", None))
        got_out = rule_set(sg.get("IpPermissionsEgress", []))
        if got_out != moto_default:
            errors.append(f"{logical}: egress rules: moto was expected to ignore SecurityGroupEgress "
                          f"and keep {fmt_rules(moto_default)}, and holds {fmt_rules(got_out)}")
        elif "SecurityGroupEgress" in p:
            gaps.add("moto ignores SecurityGroupEgress and keeps the allow-all rule; the "
                     f"template's egress ({fmt_rules(_cfn_rules(p['SecurityGroupEgress']))}) is not "
                     "checked", logical)
    # Routes: each AWS::EC2::Route in its table, to its destination, through its target.
    # moto's CloudFormation handler passes DestinationCidrBlock and the gateway, NAT, egress-only,
    # transit-gateway, instance, interface and peering targets to CreateRoute, and drops
    # VpcEndpointId (the route is created without a target) and DestinationIpv6CidrBlock (without a
    # destination): those are set aside only where moto holds nothing in their place.
    for logical, r in sorted(resources.items()):
        if r["Type"] != "AWS::EC2::Route":
            continue
        p = view(deployed["Resources"][logical]["Properties"])
        dests = [(k, p[k]) for k in ROUTE_DESTINATIONS if p.get(k)]
        targets = {p[k] for k in ROUTE_TARGETS if p.get(k)}
        if len(dests) != 1:
            errors.append(f"{logical}: {len(dests)} destinations: {dests}")
            continue
        route, routes = find_route(fx.ec2, p["RouteTableId"], dests[0])
        if route is None and dests[0][0] == "DestinationIpv6CidrBlock" and any(
                not any(x.get(k) for k in ROUTE_DESTINATIONS) for x in routes):
            gaps.add("moto's CloudFormation drops DestinationIpv6CidrBlock from AWS::EC2::Route "
                     "(the route has no destination); not checked", logical)
            continue
        if route is not None and p.get("VpcEndpointId") and not route_targets(route):
            gaps.add("moto's CloudFormation drops VpcEndpointId from AWS::EC2::Route (the route "
                     "has no target); its table and destination checked, its endpoint not", logical)
            continue
        check_route(fx.ec2, logical, p["RouteTableId"], dests[0], targets, errors)
    for logical, r in sorted(resources.items()):
        if r["Type"] in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            errors.append(f"{logical}: {r['Type']} is not compared yet: teach deploy_cloudformation")

    n_zones = compare_route53_cloudformation(fx, deployed, physical, view, errors, gaps)
    for logical, r in sorted(resources.items()):
        if r["Type"].startswith("AWS::Route53::") and r["Type"] not in (
                "AWS::Route53::HostedZone", "AWS::Route53::RecordSetGroup"):
            errors.append(f"{logical}: {r['Type']} is not compared yet: teach compare_route53_cloudformation")

    outputs = {o["OutputKey"]: o.get("OutputValue")
               for o in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}
    lost = sorted(set(deployed.get("Outputs") or {}) - set(outputs))
    if lost:
        errors.append(f"outputs missing from the stack: {lost}")
    # An endpoint's DNS entries, as the stack reports them and as EC2 describes the endpoint.
    for name, out in sorted((deployed.get("Outputs") or {}).items()):
        if name in outputs and re.search(r'"Fn::GetAtt": \["\w+", "DnsEntries"\]', json.dumps(out.get("Value"))):
            want_value = view(out["Value"])
            if want_value == "":
                gaps.add("moto gives DNS entries to interface endpoints only; the output is empty "
                         "and not checked", name)
            elif outputs[name] != want_value:
                errors.append(f"output {name}: the stack reports {outputs[name]!r}, the endpoint's "
                              f"DNS entries are {want_value!r}")
    if errors:
        raise Failure("moto does not hold what the template asks for:\n" + "\n".join(f"  {e}" for e in errors))

    delete_what_moto_cannot(fx, deployed, physical, view, gaps, stack)
    cfn.delete_stack(StackName=stack)
    status, reason = _wait_stack(cfn, stack, "DELETE")
    if status not in ("DELETE_COMPLETE", "GONE"):
        raise Failure(f"delete_stack ended {status}: {reason}")
    left = fx.live_endpoints(vpc_ids) if vpc_ids else []
    if left:
        raise Failure(f"delete_stack left endpoints in moto: {[e['VpcEndpointId'] for e in left]}")
    created_vpcs = [physical[k] for k, r in resources.items() if r["Type"] == "AWS::EC2::VPC"]
    if created_vpcs:
        still = [v["VpcId"] for v in fx.ec2.describe_vpcs()["Vpcs"] if v["VpcId"] in created_vpcs]
        if still:
            raise Failure(f"delete_stack left the stack's VPC in moto: {still}")
    remaining = [g["GroupId"] for g in fx.ec2.describe_security_groups(
        Filters=[{"Name": "group-id", "Values": sg_ids}])["SecurityGroups"]] if sg_ids else []
    if remaining:
        raise Failure(f"delete_stack left security groups in moto: {remaining}")
    if n_zones and zones_left(fx):
        raise Failure(f"delete_stack left hosted zones in moto: {zones_left(fx)}")
    zones = f", {n_zones} hosted zones" if n_zones else ""
    notes.append(f"{len(resources)} resources, {len(want)} endpoints{zones} created, matched, deleted")
    return notes + gaps.lines()


def compare_route53_cloudformation(fx: Fixture, template: dict, physical: dict[str, str],
                                   view: "CfnView", errors: list[str], gaps: Gaps) -> int:
    """Each AWS::Route53::HostedZone in moto with its name (and its privacy, VPCs, comment and
    tags where moto holds them); each AWS::Route53::RecordSetGroup's records in their zone, as
    aliases to what the template resolves to against moto (an endpoint's first DNS entry, as EC2
    describes it); and no zone or record the template does not make. Returns the number of
    zones."""
    resources = template["Resources"]
    want: dict[str, dict] = {}
    for logical, r in sorted(resources.items()):
        if r["Type"] != "AWS::Route53::HostedZone":
            continue
        p = view(r.get("Properties") or {})
        vpcs = p.get("VPCs") or []
        for v in vpcs:
            # What AWS checks and moto does not (it never reads VPCs here): a VPC of this
            # Region that exists.
            if v.get("VPCRegion") != fx.region:
                errors.append(f"{logical}: VPC {v.get('VPCId')} is given the Region {v.get('VPCRegion')!r}, "
                              f"the stack's is {fx.region}")
            if not fx.vpc_exists(v.get("VPCId")):
                errors.append(f"{logical}: VPCs names {v.get('VPCId')}, which moto's EC2 does not hold "
                              "(AWS would refuse the association)")
        want[physical[logical]] = {
            "label": logical, "name": p.get("Name"), "private": bool(vpcs),
            "vpcs": {v.get("VPCId") for v in vpcs},
            "comment": (p.get("HostedZoneConfig") or {}).get("Comment"),
            "tags": {t["Key"]: t["Value"] for t in p.get("HostedZoneTags") or []} or None,
            "records": []}
    for logical, r in sorted(resources.items()):
        if r["Type"] != "AWS::Route53::RecordSetGroup":
            continue
        p = view(r.get("Properties") or {})
        zid = p.get("HostedZoneId")
        if zid is None:
            zid = next((z for z, w in want.items() if dns_name(w["name"]) == dns_name(p.get("HostedZoneName"))), None)
        if zid not in want:
            errors.append(f"{logical}: its zone {zid or p.get('HostedZoneName')} is not one this template creates")
            continue
        raw = r.get("Properties", {}).get("RecordSets") or []
        for n, (rs, raw_rs) in enumerate(zip(p.get("RecordSets") or [], raw)):
            label = f"{logical}.RecordSets[{n}]"
            alias = rs.get("AliasTarget")
            if not alias:
                errors.append(f"{label}: not an alias record: teach compare_route53_cloudformation")
                continue
            if "DnsEntries" in json.dumps(raw_rs.get("AliasTarget")):
                note_endpoint_dns(gaps, label)
            want[zid]["records"].append({
                "label": label, "name": rs.get("Name"), "type": rs.get("Type"),
                "alias": {"dns_name": alias.get("DNSName"), "zone_id": alias.get("HostedZoneId"),
                          "evaluate_target_health": alias.get("EvaluateTargetHealth", False)}})
    for zid, w in sorted(want.items(), key=lambda kv: kv[1]["label"]):
        got = held_zone(fx, zid)
        if got is None:
            errors.append(f"{w['label']}: hosted zone {zid} is not in moto")
            continue
        # moto's AWS::Route53::HostedZone passes the name alone to CreateHostedZone
        # (FakeZone.create_from_cloudformation_json: private_zone=False, no VPC, comment or tag):
        # what it holds nothing of is set aside, and said; what it holds is compared.
        if w["private"] and not got["private"] and not got["vpcs"]:
            gaps.add("moto's CloudFormation makes every AWS::Route53::HostedZone public and ignores "
                     "its VPCs; the template's VPCs were resolved and found in moto's EC2, the "
                     "zone's privacy and associations not checked", w["label"])
            w = dict(w, private=False, vpcs=set())
        if w["comment"] is not None and got["comment"] is None:
            gaps.add("moto's CloudFormation ignores HostedZoneConfig; comment not checked", w["label"])
            w = dict(w, comment=None)
        if w["tags"] and not got["tags"]:
            gaps.add("moto's CloudFormation ignores HostedZoneTags; tags not checked", w["label"])
            w = dict(w, tags=None)
        compare_zone(fx, w["label"], w, got, errors)
        compare_records(w["label"], w["records"], got, errors)
    for z in fx.route53.list_hosted_zones()["HostedZones"]:
        if z["Id"].split("/")[-1] not in want:
            errors.append(f"moto holds hosted zone {z['Id']} ({z['Name']}) that the template does not create")
    return len(want)


# How the checker deletes, through the EC2 API, a stack resource that moto's CloudFormation
# cannot delete, in the order CloudFormation would (dependants first).
# prop(name) resolves one property of the resource.
def _del_route(ec2, prop, phys):
    ec2.delete_route(RouteTableId=prop("RouteTableId"), DestinationCidrBlock=prop("DestinationCidrBlock"))


def _del_subnet_association(ec2, prop, phys):
    rtb = ec2.describe_route_tables(RouteTableIds=[prop("RouteTableId")])["RouteTables"][0]
    for a in rtb.get("Associations", []):
        if a.get("SubnetId") == prop("SubnetId"):
            ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])


def _del_endpoint(ec2, prop, phys):
    ep = ec2.describe_vpc_endpoints(VpcEndpointIds=[phys])["VpcEndpoints"][0]
    if ep.get("RouteTableIds"):
        # moto's DeleteVpcEndpoints removes a gateway's prefix-list route from each route table
        # and fails (InvalidRoute.NotFound) where it never added one (a service name without a
        # moto prefix list): detaching the route tables first is what a deletion implies anyway.
        ec2.modify_vpc_endpoint(VpcEndpointId=phys, RemoveRouteTableIds=ep["RouteTableIds"])
    ec2.delete_vpc_endpoints(VpcEndpointIds=[phys])


def _del_eip(ec2, prop, phys):
    for a in ec2.describe_addresses()["Addresses"]:
        if phys in (a.get("PublicIp"), a.get("AllocationId")):
            ec2.release_address(AllocationId=a["AllocationId"])


EC2_DELETERS = [
    ("AWS::EC2::Route", _del_route),
    ("AWS::EC2::SubnetRouteTableAssociation", _del_subnet_association),
    ("AWS::EC2::VPCEndpoint", _del_endpoint),
    ("AWS::EC2::NatGateway", lambda ec2, prop, phys: ec2.delete_nat_gateway(NatGatewayId=phys)),
    ("AWS::EC2::EIP", _del_eip),
    ("AWS::EC2::VPCGatewayAttachment", lambda ec2, prop, phys: ec2.detach_internet_gateway(
        InternetGatewayId=prop("InternetGatewayId"), VpcId=prop("VpcId"))),
    ("AWS::EC2::InternetGateway", lambda ec2, prop, phys: ec2.delete_internet_gateway(InternetGatewayId=phys)),
    ("AWS::EC2::RouteTable", lambda ec2, prop, phys: ec2.delete_route_table(RouteTableId=phys)),
]


def _del_record_set_group(r53, prop, phys):
    """The group's records, as moto lists them. moto's DELETE accepts only a record its change
    journal holds, which a record made by its CloudFormation is not (it is added to the zone
    directly): each is first written again as it is (UPSERT, a no-op on the zone), then deleted."""
    zid = prop("HostedZoneId")
    names = {(dns_name(rs.get("Name")), rs.get("Type")) for rs in prop("RecordSets")}
    held = [r for r in r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
            if (dns_name(r["Name"]), r["Type"]) in names]
    if not held:
        return
    for action in ("UPSERT", "DELETE"):
        r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            {"Action": action, "ResourceRecordSet": r} for r in held]})


# Route 53 first: a hub's records name its endpoints' DNS entries, and a zone must be empty.
API_DELETERS = [
    ("AWS::Route53::RecordSetGroup", "route53", _del_record_set_group),
    ("AWS::Route53::HostedZone", "route53", lambda r53, prop, phys: r53.delete_hosted_zone(Id=phys)),
] + [(rtype, "ec2", deleter) for rtype, deleter in EC2_DELETERS]


def moto_cannot_delete(rtype: str) -> bool:
    """True where moto's CloudFormation model of the type has no deletion of its own (it then
    calls the base class's no-op and reports the resource deleted). Read from moto itself, so
    the shim shrinks by itself when moto learns to delete a type."""
    from moto.cloudformation.parsing import get_model_map
    from moto.core.common_models import CloudFormationModel

    model = get_model_map().get(rtype)
    if model is None:
        return False  # not modelled at all: never created, reported earlier
    own = model.delete_from_cloudformation_json.__func__ is not \
        CloudFormationModel.delete_from_cloudformation_json.__func__
    return not own and not hasattr(model, "delete")


def delete_what_moto_cannot(fx: Fixture, template: dict, physical: dict[str, str], view: "CfnView",
                            gaps: Gaps, stack: str) -> None:
    """Shim: moto's CloudFormation does not delete VPC endpoints, route tables, routes, gateways,
    addresses, hosted zones or record set groups (see moto_cannot_delete), so delete_stack would
    leave them, and a VPC the stack created could not be deleted behind them. The checker
    deletes exactly those through their own API (EC2, Route 53), dependants first, so that the
    stack's own deletion of the rest is still checked."""
    resources = template["Resources"]
    needs = {t for t in {r["Type"] for r in resources.values()} if moto_cannot_delete(t)}
    unknown = needs - {t for t, _, _ in API_DELETERS}
    if unknown:
        raise Failure(f"moto's CloudFormation cannot delete {sorted(unknown)} and deploy_moto.py has "
                      "no stand-in for it: add one to EC2_DELETERS or API_DELETERS")
    for rtype, service, deleter in API_DELETERS:
        if rtype not in needs:
            continue
        for logical, r in sorted(resources.items()):
            if r["Type"] == rtype:
                props = r.get("Properties", {})
                deleter(getattr(fx, service), lambda name, props=props: view(props[name]), physical[logical])
        gaps.add("moto's CloudFormation does not delete these types (it reports them deleted); "
                 "the checker deletes them through their API (EC2, Route 53) before delete_stack",
                 rtype.removeprefix("AWS::EC2::"))


def _cfn_rules(rules) -> set[tuple]:
    out = set()
    for r in rules or []:
        proto = str(r.get("IpProtocol"))
        lo, hi = (None, None) if proto == "-1" else (r.get("FromPort"), r.get("ToPort"))
        desc = r.get("Description") or None
        for attr, kind in (("CidrIp", "cidr"), ("CidrIpv6", "cidr6"), ("SourceSecurityGroupId", "group"),
                           ("DestinationSecurityGroupId", "group"), ("SourcePrefixListId", "prefix"),
                           ("DestinationPrefixListId", "prefix")):
            if r.get(attr):
                out.add((proto, lo, hi, kind, r[attr], desc))
    return out


def _wait_stack(cfn, stack: str, op: str) -> tuple[str, str]:
    deadline = time.monotonic() + 120
    while True:
        try:
            s = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        except cfn.exceptions.ClientError as e:
            if op == "DELETE" and "does not exist" in str(e):
                return "GONE", ""
            raise
        status = s["StackStatus"]
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return status, s.get("StackStatusReason", "")
        time.sleep(0.5)


# --------------------------------------------------------------------------------------------


def run_one(server: MotoServer, n: int, path: Path, work_root: Path,
            drift: list[str] | None) -> tuple[str, str]:
    """Deploys one path; returns (verdict, the lines to print)."""
    kind = "terraform" if path.is_dir() else "cloudformation"
    work = work_root / f"{n:02d}-{kind}"
    work.mkdir()
    started = time.monotonic()
    took = lambda: f"{time.monotonic() - started:.0f} s"  # noqa: E731
    notes: list[str] = []  # what was done to deploy it, printed whatever the verdict
    listed = lambda: "".join(f"\n  {x}" for x in notes)  # noqa: E731
    try:
        account = server.account(n)
        deploy = deploy_terraform if kind == "terraform" else deploy_cloudformation
        notes = deploy(account, path, work, drift, notes)
    except Skip as e:
        return "skipped", f"SKIPPED {kind} {path}: {e}"
    except Failure as e:
        return "failed", f"FAIL {kind} {path} ({took()}): {e}{listed()}"
    except Exception as e:  # a bug here or in moto: still name the path
        return "failed", (f"FAIL {kind} {path} ({took()}): {type(e).__name__}: {e}{listed()}\n"
                          f"  moto log:\n{indent(server.log_tail())}")
    return "passed", f"PASS {kind} {path} ({took()}){listed()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inject-drift", choices=["policy", "ingress"], action="append",
                    help="negative checks only: change moto after apply, before the re-plan "
                         "(repeatable)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("VPCGEN_MOTO_JOBS", "2")),
                    help="paths deployed at once (default 2: a Terraform run is mostly one core "
                         "loading the provider schema, and CI has two)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("paths", nargs="+", type=Path)
    args = ap.parse_args()

    work_root = Path(tempfile.mkdtemp(prefix="vpcgen-moto."))
    results = {"passed": 0, "failed": 0, "skipped": 0}
    started = time.monotonic()
    try:
        with MotoServer(work_root) as server, \
                concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [pool.submit(run_one, server, n, p, work_root, args.inject_drift)
                       for n, p in enumerate(args.paths)]
            # Printed in the order given, whatever order they finish in.
            for f in futures:
                verdict, text = f.result()
                results[verdict] += 1
                print(text, flush=True)
    finally:
        if args.keep:
            print(f"deploy: kept {work_root}")
        else:
            shutil.rmtree(work_root, ignore_errors=True)
    print(f"deploy: {len(args.paths)} paths in {time.monotonic() - started:.0f} s with "
          f"{args.jobs} at a time")
    print(f"deploy: {results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
