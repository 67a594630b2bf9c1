"""The HTML feedback report: one self-contained page per graded submission.

`page.render` builds it: `view` decides what a student may see, `arrays`, `heatmap`,
`graph` and `source` prepare the evidence, and `templates/` lays it out.
"""
