"""A headless workstation outbox, for kill -9 drills: enqueue, deliver, and exit when done.

    python -m tests.gov_api.outbox_drill --outbox PATH --api URL --client-id ID \
        --keyring-service SERVICE [--enqueue N]

Opens the outbox (queuing again whatever a crash left ``sending``), adds
``N`` pension-certification applications if asked, prints ``ready``, runs
the delivery worker and exits 0 once nothing is queued or sending. The
client secret comes from the system keyring, as on a real workstation.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from seat_client.acceptance.gov_api_client import GovApiClient, KeyringGovApiCredentials
from seat_client.acceptance.outbox import SubmissionOutbox
from seat_client.acceptance.outbox_entries import OutboxState, Submission

VALUES = {"residence": "local", "pensioner_name": "吴小梅",
          "pensioner_id_number": "11010519491231002X", "mobile": "13800138000",
          "pension_start": "2010-03-01", "certification_way": "video"}


def drill_submission(n: int) -> Submission:
    return Submission(work_order_id=f"WO-kill-{n}", item_code="SI-PENSION-CERT",
                      item_name="企业职工领取养老保险待遇资格认证", form="pension_certification",
                      values=dict(VALUES), materials=("id_card",), material_names=("居民身份证",),
                      applicant_name="吴小梅", applicant_id_number="11010519491231002X",
                      agent_id="0012")


async def run(args: argparse.Namespace) -> int:
    credentials = KeyringGovApiCredentials(args.client_id, service=args.keyring_service)
    client = GovApiClient(args.api, credentials, timeout_s=5.0)
    outbox = SubmissionOutbox(args.outbox, client, base_s=0.05, cap_s=0.5)
    await outbox.open()
    for n in range(args.enqueue):
        await outbox.enqueue(drill_submission(n))
    print("ready", flush=True)
    outbox.start()
    try:
        while True:
            counts = outbox.counts()
            if counts[OutboxState.QUEUED] + counts[OutboxState.SENDING] == 0:
                return 0
            await asyncio.sleep(0.02)
    finally:
        await outbox.stop()
        await client.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--outbox", type=Path, required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--client-id", required=True)
    p.add_argument("--keyring-service", required=True)
    p.add_argument("--enqueue", type=int, default=0)
    raise SystemExit(asyncio.run(run(p.parse_args(argv))))


if __name__ == "__main__":
    main()
