"""What a pull terminal holds, read by pyzk (the reference Python client, a peer nobody here wrote)."""
import datetime

HALL_OFFSET = datetime.timezone(datetime.timedelta(hours=8))   # Asia/Shanghai: the terminals keep the hall's local time


def attendance(port, host="127.0.0.1"):
    """The terminal's attendance log as a set of (terminal user id, Unix seconds), as the store keeps punches."""
    try:
        from zk import ZK
    except ImportError:
        raise SystemExit("pyzk is missing: install the test peers with scripts/setup --test (pip install pyzk)")
    connection = ZK(host, port=port, timeout=10, force_udp=False, ommit_ping=True).connect()
    try:
        records = connection.get_attendance()
    finally:
        connection.disconnect()
    return {(str(r.user_id), int(r.timestamp.replace(tzinfo=HALL_OFFSET).timestamp())) for r in records}
