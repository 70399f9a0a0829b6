"""Logs never carry a full phone number or e-mail address."""

import logging

from chanyan.domain.validation import mask_text
from chanyan.logmask import MaskingFilter


def test_phones_and_emails_are_masked_in_free_text():
    masked = mask_text("联系人王经理 139 1234 5678，邮箱 wang.jun@corp.cn，备用+8613800138000")
    assert "1234" not in masked and "wang.jun" not in masked
    assert "139****5678" in masked and "w***@corp.cn" in masked and "138****8000" in masked


def test_a_masked_phone_keeps_its_ends_for_recognition():
    assert mask_text("13912345678") == "139****5678"


def test_every_phone_format_the_bot_accepts_is_masked():
    for typed in ("139 123 45678", "1391-234-5678", "+86 139-1234-5678", "86 13912345678"):
        assert mask_text(f"电话{typed}。") == "电话139****5678。", typed


def test_the_logging_filter_masks_formatted_records(caplog):
    logger = logging.getLogger("chanyan.test.mask")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())
    handler.addFilter(MaskingFilter())
    logger.addHandler(handler)
    try:
        logger.warning("user %s said %s", "u1", "我的电话是13912345678")
    finally:
        logger.removeHandler(handler)
    assert records == ["user u1 said 我的电话是139****5678"]


def test_url_encoded_phones_and_emails_in_an_access_line_are_masked():
    from chanyan.logmask import mask_encoded

    line = '"GET /requests?q=139+1234+5678+victim.zhang%40example.com HTTP/1.1" 200'
    masked = mask_encoded(mask_text(line))
    assert "1234" not in masked and "victim.zhang" not in masked and "139****5678" in masked
    assert mask_encoded("GET /requests?q=%E6%9C%BA%E5%99%A8") == "GET /requests?q=%E6%9C%BA%E5%99%A8"


def test_the_logging_config_of_the_rasa_processes_masks_python_warnings_too():
    import io
    import logging.config
    import warnings
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "logging.yml").read_text(encoding="utf-8"))
    # What dictConfig does with the filter entry (without reconfiguring the test run's own logging).
    factory = logging.config.BaseConfigurator(config).resolve(config["filters"]["mask_personal_data"]["()"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(factory())
    logger = logging.getLogger("py.warnings")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn(
                "Failed to parse arguments in line '/我的手机13987654321邮箱leak.test@example.com'",
                stacklevel=1,
            )
    finally:
        logging.captureWarnings(False)
        logger.removeHandler(handler)
    printed = stream.getvalue()
    assert "139****4321" in printed and "13987654321" not in printed and "leak.test@" not in printed
