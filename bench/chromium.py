"""Debian's headless Chromium under Selenium, for the report's browser tests and its page-load benchmark.

Selenium never fetches a driver or a browser: the driver's path is given (so Selenium Manager is skipped) and
SE_MANAGER_PATH points at `false`, so any attempt to run Selenium Manager fails instead of downloading. The browser
resolves no host name, so a page that reached for the network would log an error in its console.
"""

import os
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_HINT = "apt-get install chromium chromium-driver (scripts/test.sh does so when run as root)"


def available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def headless_chromium(width: int = 1440, height: int = 1000) -> webdriver.Chrome:
    """A headless Chromium whose console log (`get_log("browser")`) keeps every level."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ["SE_MANAGER_PATH"] = "/bin/false"
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
