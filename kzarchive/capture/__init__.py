"""Capture as a browser sees it: each cited page loaded in headless Chromium (driven by
Playwright), every response it receives written to the run's WARC, and a full-page screenshot,
the rendered DOM and the page's text kept beside it.

The plain HTTP check keeps what a script-less client receives (an empty shell, a login wall);
this keeps what a reader saw. :mod:`.options` is light enough for ``--help``; :mod:`.session`
owns the browser, :mod:`.page` the behaviours on one page, :mod:`.recorder` the WARC side.
"""
