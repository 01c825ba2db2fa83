// Golden fixtures for the CLEF TAR 2018 comparison.
//
// The expected texts are the stdout of CLEF-TAR/tar `scripts/tar_eval_2018.py 2 QRELS RUN`
// (commit 7b87a1a, measures/eval_measures_2018.py at 0df8ca3), run with Python 3.11 from a copy
// in /tmp (imports adapted from `ifind.seeker` to a local package, `is not ""` to `!=`).
// Case A: thresholded topic with a grade-2 document, a single relevant document, a topic
// without relevant documents (skipped), all documents relevant.
// Case B: 95% recall never reached on a short run, duplicates, documents missing from the
// qrels, grades 3/4/-1, a run longer than N, two threshold marks, R = 30 (round(28.5) = 28).
// Case C: 1,000 records, 43 relevant at ranks 1…39, 320, 477, 600 and 800 (input built in code).

enum CLEFGolden {
  /// Case A qrels.
  static let qrelsA = """
CD001 0 101 0
CD001 0 102 0
CD001 0 103 1
CD001 0 104 0
CD001 0 105 2
CD001 0 106 0
CD001 0 107 0
CD001 0 108 0
CD001 0 109 0
CD001 0 110 1
CD001 0 111 0
CD001 0 112 0
CD002 0 201 0
CD002 0 202 0
CD002 0 203 0
CD002 0 204 1
CD002 0 205 0
CD002 0 206 0
CD002 0 207 0
CD005 0 501 0
CD005 0 502 0
CD005 0 503 0
CD005 0 504 0
CD005 0 505 0
CD003 0 301 1
CD003 0 302 1
CD003 0 303 1
CD003 0 304 1
"""

  /// Case A run.
  static let runA = """
CD001 0 103 1 1.0 csmed
CD001 0 101 2 0.95 csmed
CD001 0 105 3 0.9 csmed
CD001 0 104 4 0.85 csmed
CD001 1 102 5 0.8 csmed
CD001 0 110 6 0.75 csmed
CD001 0 106 7 0.7 csmed
CD001 0 107 8 0.65 csmed
CD001 0 108 9 0.6 csmed
CD001 0 109 10 0.55 csmed
CD001 0 111 11 0.5 csmed
CD001 0 112 12 0.45 csmed
CD002 0 201 1 7 csmed
CD002 0 202 2 6 csmed
CD002 0 203 3 5 csmed
CD002 0 204 4 4 csmed
CD002 0 205 5 3 csmed
CD002 0 206 6 2 csmed
CD002 0 207 7 1 csmed
CD005 0 501 1 5 csmed
CD005 0 502 2 4 csmed
CD005 0 503 3 3 csmed
CD005 0 504 4 2 csmed
CD005 0 505 5 1 csmed
CD003 0 301 1 4 csmed
CD003 0 302 2 3 csmed
CD003 0 303 3 2 csmed
CD003 1 304 4 1 csmed
"""

  /// Case B qrels.
  static let qrelsB = """
CD004 0 4001 1
CD004 0 4002 1
CD004 0 4003 1
CD004 0 4004 1
CD004 0 4005 1
CD004 0 4006 1
CD004 0 4007 1
CD004 0 4008 1
CD004 0 4009 1
CD004 0 4010 1
CD004 0 4011 1
CD004 0 4012 1
CD004 0 4013 1
CD004 0 4014 1
CD004 0 4015 1
CD004 0 4016 1
CD004 0 4017 1
CD004 0 4018 1
CD004 0 4019 1
CD004 0 4020 1
CD004 0 4021 0
CD004 0 4022 0
CD004 0 4023 0
CD004 0 4024 0
CD004 0 4025 0
CD004 0 4026 0
CD004 0 4027 0
CD004 0 4028 0
CD004 0 4029 0
CD004 0 4030 0
CD004 0 4031 0
CD004 0 4032 0
CD004 0 4033 0
CD004 0 4034 0
CD004 0 4035 0
CD004 0 4036 0
CD004 0 4037 0
CD004 0 4038 0
CD004 0 4039 0
CD004 0 4040 0
CD006 0 601 1
CD006 0 602 0
CD006 0 603 2
CD006 0 604 3
CD006 0 605 4
CD006 0 606 -1
CD006 0 607 0
CD006 0 608 0
CD006 0 609 1
CD006 0 610 0
CD007 0 701 0
CD007 0 702 1
CD007 0 703 0
CD007 0 704 0
CD007 0 705 1
CD007 0 706 0
CD007 0 707 0
CD007 0 708 0
CD007 0 709 1
CD007 0 710 0
CD007 0 711 1
CD007 0 712 0
CD007 0 713 0
CD007 0 714 1
CD007 0 715 0
CD008 0 801 0
CD008 0 802 1
CD008 0 803 1
CD008 0 804 1
CD008 0 805 0
CD008 0 806 0
CD008 0 807 1
CD008 0 808 1
CD008 0 809 1
CD008 0 810 1
CD008 0 811 0
CD008 0 812 1
CD008 0 813 1
CD008 0 814 0
CD008 0 815 1
CD008 0 816 1
CD008 0 817 0
CD008 0 818 1
CD008 0 819 1
CD008 0 820 1
CD008 0 821 0
CD008 0 822 1
CD008 0 823 1
CD008 0 824 1
CD008 0 825 0
CD008 0 826 1
CD008 0 827 1
CD008 0 828 0
CD008 0 829 0
CD008 0 830 1
CD008 0 831 0
CD008 0 832 0
CD008 0 833 0
CD008 0 834 1
CD008 0 835 1
CD008 0 836 1
CD008 0 837 1
CD008 0 838 1
CD008 0 839 0
CD008 0 840 0
CD008 0 841 0
CD008 0 842 1
CD008 0 843 0
CD008 0 844 1
CD008 0 845 1
CD008 0 846 0
CD008 0 847 1
CD008 0 848 0
CD008 0 849 0
CD008 0 850 1
"""

  /// Case B run.
  static let runB = """
CD004 0 4024 1 30 csmed
CD004 0 4008 2 29 csmed
CD004 0 4018 3 28 csmed
CD004 0 4032 4 27 csmed
CD004 0 4010 5 26 csmed
CD004 0 4031 6 25 csmed
CD004 0 4012 7 24 csmed
CD004 0 4003 8 23 csmed
CD004 0 4016 9 22 csmed
CD004 0 4011 10 21 csmed
CD004 0 4030 11 20 csmed
CD004 0 4025 12 19 csmed
CD004 0 4029 13 18 csmed
CD004 0 4017 14 17 csmed
CD004 0 4026 15 16 csmed
CD004 0 4027 16 15 csmed
CD004 0 4022 17 14 csmed
CD004 0 4009 18 13 csmed
CD004 0 4019 19 12 csmed
CD004 0 4028 20 11 csmed
CD004 0 4021 21 10 csmed
CD004 0 4014 22 9 csmed
CD004 0 4006 23 8 csmed
CD004 0 4020 24 7 csmed
CD004 0 4005 25 6 csmed
CD004 0 4004 26 5 csmed
CD004 0 4023 27 4 csmed
CD004 0 4015 28 3 csmed
CD004 0 4007 29 2 csmed
CD004 0 4013 30 1 csmed
CD006 0 603 1 1.0 csmed
CD006 0 699 2 1.0 csmed
CD006 0 604 3 1.0 csmed
CD006 0 601 4 1.0 csmed
CD006 0 603 5 1.0 csmed
CD006 0 606 6 1.0 csmed
CD006 0 605 7 1.0 csmed
CD006 0 698 8 1.0 csmed
CD006 0 602 9 1.0 csmed
CD006 0 697 10 1.0 csmed
CD006 1 609 11 1.0 csmed
CD006 0 601 12 1.0 csmed
CD006 0 607 13 1.0 csmed
CD006 0 696 14 1.0 csmed
CD006 0 608 15 1.0 csmed
CD006 0 610 16 1.0 csmed
CD006 0 695 17 1.0 csmed
CD007 0 701 1 15 csmed
CD007 0 702 2 14 csmed
CD007 0 703 3 13 csmed
CD007 0 704 4 12 csmed
CD007 0 705 5 11 csmed
CD007 1 706 6 10 csmed
CD007 0 707 7 9 csmed
CD007 0 708 8 8 csmed
CD007 0 709 9 7 csmed
CD007 0 710 10 6 csmed
CD007 1 711 11 5 csmed
CD007 0 712 12 4 csmed
CD007 0 713 13 3 csmed
CD007 0 714 14 2 csmed
CD007 0 715 15 1 csmed
CD008 0 847 1 1.0 csmed
CD008 0 835 2 0.98 csmed
CD008 0 810 3 0.96 csmed
CD008 0 823 4 0.94 csmed
CD008 0 844 5 0.92 csmed
CD008 0 826 6 0.9 csmed
CD008 0 824 7 0.88 csmed
CD008 0 809 8 0.86 csmed
CD008 0 822 9 0.84 csmed
CD008 0 845 10 0.82 csmed
CD008 0 804 11 0.8 csmed
CD008 0 848 12 0.78 csmed
CD008 0 830 13 0.76 csmed
CD008 0 836 14 0.74 csmed
CD008 0 820 15 0.72 csmed
CD008 0 842 16 0.7 csmed
CD008 0 832 17 0.68 csmed
CD008 0 808 18 0.66 csmed
CD008 0 802 19 0.64 csmed
CD008 0 816 20 0.62 csmed
CD008 0 838 21 0.6 csmed
CD008 0 827 22 0.58 csmed
CD008 0 834 23 0.56 csmed
CD008 0 846 24 0.54 csmed
CD008 0 833 25 0.52 csmed
CD008 0 849 26 0.5 csmed
CD008 0 850 27 0.48 csmed
CD008 0 818 28 0.46 csmed
CD008 0 813 29 0.44 csmed
CD008 0 843 30 0.42 csmed
CD008 0 825 31 0.4 csmed
CD008 0 803 32 0.38 csmed
CD008 0 819 33 0.36 csmed
CD008 0 815 34 0.34 csmed
CD008 0 812 35 0.32 csmed
CD008 0 837 36 0.3 csmed
CD008 0 807 37 0.28 csmed
CD008 0 840 38 0.26 csmed
CD008 0 801 39 0.24 csmed
CD008 1 821 40 0.22 csmed
CD008 0 817 41 0.2 csmed
CD008 0 805 42 0.18 csmed
CD008 0 814 43 0.16 csmed
CD008 0 829 44 0.14 csmed
CD008 0 839 45 0.12 csmed
CD008 0 811 46 0.1 csmed
CD008 0 841 47 0.08 csmed
CD008 0 806 48 0.06 csmed
CD008 0 828 49 0.04 csmed
CD008 0 831 50 0.02 csmed
"""

  /// Case A: tar_eval_2018.py output.
  static let expectedA = """
CD001	num_shown	12
CD001	rels_found	3
CD001	num_rels	3
CD001	last_rel	6
CD001	norm_last_rel	0.5
CD001	threshold	5
CD001	norm_threshold	0.417
CD001	wss_100	0.5
CD001	wss_95	0.45
CD001	cg_total	3.0
CD001	cg_max	3.0
CD001	cg_threshold	2.0
CD001	recall_threshold	0.667
CD001	threshold	5
CD001	recall@1.0%	0.0
CD001	recall@2.0%	0.0
CD001	recall@3.0%	0.0
CD001	recall@4.0%	0.0
CD001	recall@5.0%	0.333
CD001	recall@6.0%	0.333
CD001	recall@7.0%	0.333
CD001	recall@8.0%	0.333
CD001	recall@9.0%	0.333
CD001	recall@10.0%	0.333
CD001	recall@11.0%	0.333
CD001	recall@12.0%	0.333
CD001	recall@13.0%	0.333
CD001	recall@14.0%	0.333
CD001	recall@15.0%	0.333
CD001	recall@16.0%	0.333
CD001	recall@17.0%	0.333
CD001	recall@18.0%	0.333
CD001	recall@19.0%	0.333
CD001	recall@20.0%	0.333
CD001	recall@21.0%	0.667
CD001	recall@22.0%	0.667
CD001	recall@23.0%	0.667
CD001	recall@24.0%	0.667
CD001	recall@25.0%	0.667
CD001	recall@26.0%	0.667
CD001	recall@27.0%	0.667
CD001	recall@28.0%	0.667
CD001	recall@29.0%	0.667
CD001	recall@30.0%	0.667
CD001	recall@31.0%	0.667
CD001	recall@32.0%	0.667
CD001	recall@33.0%	0.667
CD001	recall@34.0%	0.667
CD001	recall@35.0%	0.667
CD001	recall@36.0%	0.667
CD001	recall@37.0%	0.667
CD001	recall@38.0%	0.667
CD001	recall@39.0%	0.667
CD001	recall@40.0%	0.667
CD001	recall@41.0%	0.667
CD001	recall@42.0%	0.667
CD001	recall@43.0%	0.667
CD001	recall@44.0%	0.667
CD001	recall@45.0%	0.667
CD001	recall@46.0%	1.0
CD001	recall@47.0%	1.0
CD001	recall@48.0%	1.0
CD001	recall@49.0%	1.0
CD001	recall@50.0%	1.0
CD001	recall@51.0%	1.0
CD001	recall@52.0%	1.0
CD001	recall@53.0%	1.0
CD001	recall@54.0%	1.0
CD001	recall@55.0%	1.0
CD001	recall@56.0%	1.0
CD001	recall@57.0%	1.0
CD001	recall@58.0%	1.0
CD001	recall@59.0%	1.0
CD001	recall@60.0%	1.0
CD001	recall@61.0%	1.0
CD001	recall@62.0%	1.0
CD001	recall@63.0%	1.0
CD001	recall@64.0%	1.0
CD001	recall@65.0%	1.0
CD001	recall@66.0%	1.0
CD001	recall@67.0%	1.0
CD001	recall@68.0%	1.0
CD001	recall@69.0%	1.0
CD001	recall@70.0%	1.0
CD001	recall@71.0%	1.0
CD001	recall@72.0%	1.0
CD001	recall@73.0%	1.0
CD001	recall@74.0%	1.0
CD001	recall@75.0%	1.0
CD001	recall@76.0%	1.0
CD001	recall@77.0%	1.0
CD001	recall@78.0%	1.0
CD001	recall@79.0%	1.0
CD001	recall@80.0%	1.0
CD001	recall@81.0%	1.0
CD001	recall@82.0%	1.0
CD001	recall@83.0%	1.0
CD001	recall@84.0%	1.0
CD001	recall@85.0%	1.0
CD001	recall@86.0%	1.0
CD001	recall@87.0%	1.0
CD001	recall@88.0%	1.0
CD001	recall@89.0%	1.0
CD001	recall@90.0%	1.0
CD001	recall@91.0%	1.0
CD001	recall@92.0%	1.0
CD001	recall@93.0%	1.0
CD001	recall@94.0%	1.0
CD001	recall@95.0%	1.0
CD001	recall@96.0%	1.0
CD001	recall@97.0%	1.0
CD001	recall@98.0%	1.0
CD001	recall@99.0%	1.0
CD001	recall@100.0%	1.0
CD001	total_cost	5.0
CD001	norm_area	0.873
CD001	ap	0.722
CD001	r	0.667
CD001	loss_e	0.164
CD001	loss_r	0.111
CD001	loss_er	0.275
CD002	num_shown	7
CD002	rels_found	1
CD002	num_rels	1
CD002	last_rel	4
CD002	norm_last_rel	0.571
CD002	threshold	7
CD002	norm_threshold	1.0
CD002	wss_100	0.429
CD002	wss_95	0.379
CD002	cg_total	1.0
CD002	cg_max	1.0
CD002	cg_threshold	1.0
CD002	recall_threshold	1.0
CD002	threshold	7
CD002	recall@1.0%	0.0
CD002	recall@2.0%	0.0
CD002	recall@3.0%	0.0
CD002	recall@4.0%	0.0
CD002	recall@5.0%	0.0
CD002	recall@6.0%	0.0
CD002	recall@7.0%	0.0
CD002	recall@8.0%	0.0
CD002	recall@9.0%	0.0
CD002	recall@10.0%	0.0
CD002	recall@11.0%	0.0
CD002	recall@12.0%	0.0
CD002	recall@13.0%	0.0
CD002	recall@14.0%	0.0
CD002	recall@15.0%	0.0
CD002	recall@16.0%	0.0
CD002	recall@17.0%	0.0
CD002	recall@18.0%	0.0
CD002	recall@19.0%	0.0
CD002	recall@20.0%	0.0
CD002	recall@21.0%	0.0
CD002	recall@22.0%	0.0
CD002	recall@23.0%	0.0
CD002	recall@24.0%	0.0
CD002	recall@25.0%	0.0
CD002	recall@26.0%	0.0
CD002	recall@27.0%	0.0
CD002	recall@28.0%	0.0
CD002	recall@29.0%	0.0
CD002	recall@30.0%	0.0
CD002	recall@31.0%	0.0
CD002	recall@32.0%	0.0
CD002	recall@33.0%	0.0
CD002	recall@34.0%	0.0
CD002	recall@35.0%	0.0
CD002	recall@36.0%	0.0
CD002	recall@37.0%	0.0
CD002	recall@38.0%	0.0
CD002	recall@39.0%	0.0
CD002	recall@40.0%	0.0
CD002	recall@41.0%	0.0
CD002	recall@42.0%	0.0
CD002	recall@43.0%	0.0
CD002	recall@44.0%	0.0
CD002	recall@45.0%	0.0
CD002	recall@46.0%	0.0
CD002	recall@47.0%	0.0
CD002	recall@48.0%	0.0
CD002	recall@49.0%	0.0
CD002	recall@50.0%	1.0
CD002	recall@51.0%	1.0
CD002	recall@52.0%	1.0
CD002	recall@53.0%	1.0
CD002	recall@54.0%	1.0
CD002	recall@55.0%	1.0
CD002	recall@56.0%	1.0
CD002	recall@57.0%	1.0
CD002	recall@58.0%	1.0
CD002	recall@59.0%	1.0
CD002	recall@60.0%	1.0
CD002	recall@61.0%	1.0
CD002	recall@62.0%	1.0
CD002	recall@63.0%	1.0
CD002	recall@64.0%	1.0
CD002	recall@65.0%	1.0
CD002	recall@66.0%	1.0
CD002	recall@67.0%	1.0
CD002	recall@68.0%	1.0
CD002	recall@69.0%	1.0
CD002	recall@70.0%	1.0
CD002	recall@71.0%	1.0
CD002	recall@72.0%	1.0
CD002	recall@73.0%	1.0
CD002	recall@74.0%	1.0
CD002	recall@75.0%	1.0
CD002	recall@76.0%	1.0
CD002	recall@77.0%	1.0
CD002	recall@78.0%	1.0
CD002	recall@79.0%	1.0
CD002	recall@80.0%	1.0
CD002	recall@81.0%	1.0
CD002	recall@82.0%	1.0
CD002	recall@83.0%	1.0
CD002	recall@84.0%	1.0
CD002	recall@85.0%	1.0
CD002	recall@86.0%	1.0
CD002	recall@87.0%	1.0
CD002	recall@88.0%	1.0
CD002	recall@89.0%	1.0
CD002	recall@90.0%	1.0
CD002	recall@91.0%	1.0
CD002	recall@92.0%	1.0
CD002	recall@93.0%	1.0
CD002	recall@94.0%	1.0
CD002	recall@95.0%	1.0
CD002	recall@96.0%	1.0
CD002	recall@97.0%	1.0
CD002	recall@98.0%	1.0
CD002	recall@99.0%	1.0
CD002	recall@100.0%	1.0
CD002	total_cost	-13.0
CD002	norm_area	0.538
CD002	ap	0.25
CD002	r	1.0
CD002	loss_e	0.98
CD002	loss_r	0.0
CD002	loss_er	0.98
Skipping topic: CD005
CD003	num_shown	4
CD003	rels_found	4
CD003	num_rels	4
CD003	last_rel	4
CD003	norm_last_rel	1.0
CD003	threshold	4
CD003	norm_threshold	1.0
CD003	wss_100	0.0
CD003	wss_95	-0.05
CD003	cg_total	4.0
CD003	cg_max	4.0
CD003	cg_threshold	4.0
CD003	recall_threshold	1.0
CD003	threshold	4
CD003	recall@1.0%	0.0
CD003	recall@2.0%	0.0
CD003	recall@3.0%	0.0
CD003	recall@4.0%	0.0
CD003	recall@5.0%	0.0
CD003	recall@6.0%	0.0
CD003	recall@7.0%	0.0
CD003	recall@8.0%	0.0
CD003	recall@9.0%	0.0
CD003	recall@10.0%	0.0
CD003	recall@11.0%	0.0
CD003	recall@12.0%	0.0
CD003	recall@13.0%	0.25
CD003	recall@14.0%	0.25
CD003	recall@15.0%	0.25
CD003	recall@16.0%	0.25
CD003	recall@17.0%	0.25
CD003	recall@18.0%	0.25
CD003	recall@19.0%	0.25
CD003	recall@20.0%	0.25
CD003	recall@21.0%	0.25
CD003	recall@22.0%	0.25
CD003	recall@23.0%	0.25
CD003	recall@24.0%	0.25
CD003	recall@25.0%	0.25
CD003	recall@26.0%	0.25
CD003	recall@27.0%	0.25
CD003	recall@28.0%	0.25
CD003	recall@29.0%	0.25
CD003	recall@30.0%	0.25
CD003	recall@31.0%	0.25
CD003	recall@32.0%	0.25
CD003	recall@33.0%	0.25
CD003	recall@34.0%	0.25
CD003	recall@35.0%	0.25
CD003	recall@36.0%	0.25
CD003	recall@37.0%	0.25
CD003	recall@38.0%	0.5
CD003	recall@39.0%	0.5
CD003	recall@40.0%	0.5
CD003	recall@41.0%	0.5
CD003	recall@42.0%	0.5
CD003	recall@43.0%	0.5
CD003	recall@44.0%	0.5
CD003	recall@45.0%	0.5
CD003	recall@46.0%	0.5
CD003	recall@47.0%	0.5
CD003	recall@48.0%	0.5
CD003	recall@49.0%	0.5
CD003	recall@50.0%	0.5
CD003	recall@51.0%	0.5
CD003	recall@52.0%	0.5
CD003	recall@53.0%	0.5
CD003	recall@54.0%	0.5
CD003	recall@55.0%	0.5
CD003	recall@56.0%	0.5
CD003	recall@57.0%	0.5
CD003	recall@58.0%	0.5
CD003	recall@59.0%	0.5
CD003	recall@60.0%	0.5
CD003	recall@61.0%	0.5
CD003	recall@62.0%	0.5
CD003	recall@63.0%	0.75
CD003	recall@64.0%	0.75
CD003	recall@65.0%	0.75
CD003	recall@66.0%	0.75
CD003	recall@67.0%	0.75
CD003	recall@68.0%	0.75
CD003	recall@69.0%	0.75
CD003	recall@70.0%	0.75
CD003	recall@71.0%	0.75
CD003	recall@72.0%	0.75
CD003	recall@73.0%	0.75
CD003	recall@74.0%	0.75
CD003	recall@75.0%	0.75
CD003	recall@76.0%	0.75
CD003	recall@77.0%	0.75
CD003	recall@78.0%	0.75
CD003	recall@79.0%	0.75
CD003	recall@80.0%	0.75
CD003	recall@81.0%	0.75
CD003	recall@82.0%	0.75
CD003	recall@83.0%	0.75
CD003	recall@84.0%	0.75
CD003	recall@85.0%	0.75
CD003	recall@86.0%	0.75
CD003	recall@87.0%	0.75
CD003	recall@88.0%	1.0
CD003	recall@89.0%	1.0
CD003	recall@90.0%	1.0
CD003	recall@91.0%	1.0
CD003	recall@92.0%	1.0
CD003	recall@93.0%	1.0
CD003	recall@94.0%	1.0
CD003	recall@95.0%	1.0
CD003	recall@96.0%	1.0
CD003	recall@97.0%	1.0
CD003	recall@98.0%	1.0
CD003	recall@99.0%	1.0
CD003	recall@100.0%	1.0
CD003	total_cost	-76.0
CD003	norm_area	1.0
CD003	ap	1.0
CD003	r	1.0
CD003	loss_e	0.925
CD003	loss_r	0.0
CD003	loss_er	0.925
ALL	num_shown	23
ALL	rels_found	8
ALL	num_rels	8
ALL	last_rel	5.0
ALL	norm_last_rel	0.69
ALL	threshold	5.0
ALL	norm_threshold	0.806
ALL	wss_100	0.31
ALL	wss_95	0.26
ALL	cg_total	3.0
ALL	cg_max	3.0
ALL	cg_threshold	2.0
ALL	recall_threshold	0.889
ALL	threshold	5.0
ALL	recall@1.0%	0.0
ALL	recall@2.0%	0.0
ALL	recall@3.0%	0.0
ALL	recall@4.0%	0.0
ALL	recall@5.0%	0.125
ALL	recall@6.0%	0.125
ALL	recall@7.0%	0.125
ALL	recall@8.0%	0.125
ALL	recall@9.0%	0.125
ALL	recall@10.0%	0.125
ALL	recall@11.0%	0.125
ALL	recall@12.0%	0.125
ALL	recall@13.0%	0.25
ALL	recall@14.0%	0.25
ALL	recall@15.0%	0.25
ALL	recall@16.0%	0.25
ALL	recall@17.0%	0.25
ALL	recall@18.0%	0.25
ALL	recall@19.0%	0.25
ALL	recall@20.0%	0.25
ALL	recall@21.0%	0.375
ALL	recall@22.0%	0.375
ALL	recall@23.0%	0.375
ALL	recall@24.0%	0.375
ALL	recall@25.0%	0.375
ALL	recall@26.0%	0.375
ALL	recall@27.0%	0.375
ALL	recall@28.0%	0.375
ALL	recall@29.0%	0.375
ALL	recall@30.0%	0.375
ALL	recall@31.0%	0.375
ALL	recall@32.0%	0.375
ALL	recall@33.0%	0.375
ALL	recall@34.0%	0.375
ALL	recall@35.0%	0.375
ALL	recall@36.0%	0.375
ALL	recall@37.0%	0.375
ALL	recall@38.0%	0.5
ALL	recall@39.0%	0.5
ALL	recall@40.0%	0.5
ALL	recall@41.0%	0.5
ALL	recall@42.0%	0.5
ALL	recall@43.0%	0.5
ALL	recall@44.0%	0.5
ALL	recall@45.0%	0.5
ALL	recall@46.0%	0.625
ALL	recall@47.0%	0.625
ALL	recall@48.0%	0.625
ALL	recall@49.0%	0.625
ALL	recall@50.0%	0.75
ALL	recall@51.0%	0.75
ALL	recall@52.0%	0.75
ALL	recall@53.0%	0.75
ALL	recall@54.0%	0.75
ALL	recall@55.0%	0.75
ALL	recall@56.0%	0.75
ALL	recall@57.0%	0.75
ALL	recall@58.0%	0.75
ALL	recall@59.0%	0.75
ALL	recall@60.0%	0.75
ALL	recall@61.0%	0.75
ALL	recall@62.0%	0.75
ALL	recall@63.0%	0.875
ALL	recall@64.0%	0.875
ALL	recall@65.0%	0.875
ALL	recall@66.0%	0.875
ALL	recall@67.0%	0.875
ALL	recall@68.0%	0.875
ALL	recall@69.0%	0.875
ALL	recall@70.0%	0.875
ALL	recall@71.0%	0.875
ALL	recall@72.0%	0.875
ALL	recall@73.0%	0.875
ALL	recall@74.0%	0.875
ALL	recall@75.0%	0.875
ALL	recall@76.0%	0.875
ALL	recall@77.0%	0.875
ALL	recall@78.0%	0.875
ALL	recall@79.0%	0.875
ALL	recall@80.0%	0.875
ALL	recall@81.0%	0.875
ALL	recall@82.0%	0.875
ALL	recall@83.0%	0.875
ALL	recall@84.0%	0.875
ALL	recall@85.0%	0.875
ALL	recall@86.0%	0.875
ALL	recall@87.0%	0.875
ALL	recall@88.0%	1.0
ALL	recall@89.0%	1.0
ALL	recall@90.0%	1.0
ALL	recall@91.0%	1.0
ALL	recall@92.0%	1.0
ALL	recall@93.0%	1.0
ALL	recall@94.0%	1.0
ALL	recall@95.0%	1.0
ALL	recall@96.0%	1.0
ALL	recall@97.0%	1.0
ALL	recall@98.0%	1.0
ALL	recall@99.0%	1.0
ALL	recall@100.0%	1.0
ALL	total_cost	-28.0
ALL	norm_area	0.804
ALL	ap	0.657
ALL	r	0.889
ALL	loss_e	0.689
ALL	loss_r	0.037
ALL	loss_er	0.727
"""

  /// Case B: tar_eval_2018.py output.
  static let expectedB = """
CD004	num_shown	30
CD004	rels_found	18
CD004	num_rels	20
CD004	last_rel	30
CD004	norm_last_rel	0.75
CD004	threshold	40
CD004	norm_threshold	1.0
CD004	wss_100	0
CD004	wss_95	0
CD004	cg_total	18.0
CD004	cg_max	20.0
CD004	cg_threshold	18.0
CD004	recall_threshold	0.9
CD004	threshold	40
CD004	recall@1.0%	0.0
CD004	recall@2.0%	0.0
CD004	recall@3.0%	0.0
CD004	recall@4.0%	0.05
CD004	recall@5.0%	0.05
CD004	recall@6.0%	0.05
CD004	recall@7.0%	0.1
CD004	recall@8.0%	0.1
CD004	recall@9.0%	0.1
CD004	recall@10.0%	0.1
CD004	recall@11.0%	0.1
CD004	recall@12.0%	0.15
CD004	recall@13.0%	0.15
CD004	recall@14.0%	0.15
CD004	recall@15.0%	0.15
CD004	recall@16.0%	0.15
CD004	recall@17.0%	0.2
CD004	recall@18.0%	0.2
CD004	recall@19.0%	0.25
CD004	recall@20.0%	0.25
CD004	recall@21.0%	0.25
CD004	recall@22.0%	0.3
CD004	recall@23.0%	0.3
CD004	recall@24.0%	0.35
CD004	recall@25.0%	0.35
CD004	recall@26.0%	0.35
CD004	recall@27.0%	0.35
CD004	recall@28.0%	0.35
CD004	recall@29.0%	0.35
CD004	recall@30.0%	0.35
CD004	recall@31.0%	0.35
CD004	recall@32.0%	0.35
CD004	recall@33.0%	0.35
CD004	recall@34.0%	0.4
CD004	recall@35.0%	0.4
CD004	recall@36.0%	0.4
CD004	recall@37.0%	0.4
CD004	recall@38.0%	0.4
CD004	recall@39.0%	0.4
CD004	recall@40.0%	0.4
CD004	recall@41.0%	0.4
CD004	recall@42.0%	0.4
CD004	recall@43.0%	0.4
CD004	recall@44.0%	0.45
CD004	recall@45.0%	0.45
CD004	recall@46.0%	0.45
CD004	recall@47.0%	0.5
CD004	recall@48.0%	0.5
CD004	recall@49.0%	0.5
CD004	recall@50.0%	0.5
CD004	recall@51.0%	0.5
CD004	recall@52.0%	0.5
CD004	recall@53.0%	0.5
CD004	recall@54.0%	0.55
CD004	recall@55.0%	0.55
CD004	recall@56.0%	0.55
CD004	recall@57.0%	0.6
CD004	recall@58.0%	0.6
CD004	recall@59.0%	0.65
CD004	recall@60.0%	0.65
CD004	recall@61.0%	0.65
CD004	recall@62.0%	0.7
CD004	recall@63.0%	0.7
CD004	recall@64.0%	0.75
CD004	recall@65.0%	0.75
CD004	recall@66.0%	0.75
CD004	recall@67.0%	0.75
CD004	recall@68.0%	0.75
CD004	recall@69.0%	0.8
CD004	recall@70.0%	0.8
CD004	recall@71.0%	0.8
CD004	recall@72.0%	0.85
CD004	recall@73.0%	0.85
CD004	recall@74.0%	0.9
CD004	recall@75.0%	0.9
CD004	recall@76.0%	0.9
CD004	recall@77.0%	0.9
CD004	recall@78.0%	0.9
CD004	recall@79.0%	0.9
CD004	recall@80.0%	0.9
CD004	recall@81.0%	0.9
CD004	recall@82.0%	0.9
CD004	recall@83.0%	0.9
CD004	recall@84.0%	0.9
CD004	recall@85.0%	0.9
CD004	recall@86.0%	0.9
CD004	recall@87.0%	0.9
CD004	recall@88.0%	0.9
CD004	recall@89.0%	0.9
CD004	recall@90.0%	0.9
CD004	recall@91.0%	0.9
CD004	recall@92.0%	0.9
CD004	recall@93.0%	0.9
CD004	recall@94.0%	0.9
CD004	recall@95.0%	0.9
CD004	recall@96.0%	0.9
CD004	recall@97.0%	0.9
CD004	recall@98.0%	0.9
CD004	recall@99.0%	0.9
CD004	recall@100.0%	0.9
CD004	total_cost	-290.0
CD004	norm_area	0.712
CD004	ap	0.519
CD004	r	0.9
CD004	loss_e	0.391
CD004	loss_r	0.01
CD004	loss_er	0.401
CD006 Duplicate 603
CD006 Duplicate 601
CD006	num_shown	13
CD006	rels_found	3
CD006	num_rels	3
CD006	last_rel	8
CD006	norm_last_rel	0.615
CD006	threshold	8
CD006	norm_threshold	0.615
CD006	wss_100	0.385
CD006	wss_95	0.335
CD006	cg_total	3.0
CD006	cg_max	3.0
CD006	cg_threshold	3.0
CD006	recall_threshold	1.0
CD006	threshold	8
CD006	recall@1.0%	0.0
CD006	recall@2.0%	0.0
CD006	recall@3.0%	0.0
CD006	recall@4.0%	0.0
CD006	recall@5.0%	0.0
CD006	recall@6.0%	0.0
CD006	recall@7.0%	0.0
CD006	recall@8.0%	0.333
CD006	recall@9.0%	0.333
CD006	recall@10.0%	0.333
CD006	recall@11.0%	0.333
CD006	recall@12.0%	0.333
CD006	recall@13.0%	0.333
CD006	recall@14.0%	0.333
CD006	recall@15.0%	0.333
CD006	recall@16.0%	0.333
CD006	recall@17.0%	0.333
CD006	recall@18.0%	0.333
CD006	recall@19.0%	0.333
CD006	recall@20.0%	0.333
CD006	recall@21.0%	0.333
CD006	recall@22.0%	0.333
CD006	recall@23.0%	0.333
CD006	recall@24.0%	0.333
CD006	recall@25.0%	0.333
CD006	recall@26.0%	0.333
CD006	recall@27.0%	0.333
CD006	recall@28.0%	0.333
CD006	recall@29.0%	0.333
CD006	recall@30.0%	0.333
CD006	recall@31.0%	0.333
CD006	recall@32.0%	0.333
CD006	recall@33.0%	0.333
CD006	recall@34.0%	0.333
CD006	recall@35.0%	0.333
CD006	recall@36.0%	0.667
CD006	recall@37.0%	0.667
CD006	recall@38.0%	0.667
CD006	recall@39.0%	0.667
CD006	recall@40.0%	0.667
CD006	recall@41.0%	0.667
CD006	recall@42.0%	0.667
CD006	recall@43.0%	0.667
CD006	recall@44.0%	0.667
CD006	recall@45.0%	0.667
CD006	recall@46.0%	0.667
CD006	recall@47.0%	0.667
CD006	recall@48.0%	0.667
CD006	recall@49.0%	0.667
CD006	recall@50.0%	0.667
CD006	recall@51.0%	0.667
CD006	recall@52.0%	0.667
CD006	recall@53.0%	0.667
CD006	recall@54.0%	0.667
CD006	recall@55.0%	0.667
CD006	recall@56.0%	0.667
CD006	recall@57.0%	0.667
CD006	recall@58.0%	0.667
CD006	recall@59.0%	0.667
CD006	recall@60.0%	0.667
CD006	recall@61.0%	0.667
CD006	recall@62.0%	0.667
CD006	recall@63.0%	0.667
CD006	recall@64.0%	0.667
CD006	recall@65.0%	0.667
CD006	recall@66.0%	0.667
CD006	recall@67.0%	0.667
CD006	recall@68.0%	0.667
CD006	recall@69.0%	0.667
CD006	recall@70.0%	0.667
CD006	recall@71.0%	0.667
CD006	recall@72.0%	0.667
CD006	recall@73.0%	0.667
CD006	recall@74.0%	0.667
CD006	recall@75.0%	0.667
CD006	recall@76.0%	0.667
CD006	recall@77.0%	0.667
CD006	recall@78.0%	0.667
CD006	recall@79.0%	0.667
CD006	recall@80.0%	0.667
CD006	recall@81.0%	0.667
CD006	recall@82.0%	0.667
CD006	recall@83.0%	0.667
CD006	recall@84.0%	0.667
CD006	recall@85.0%	0.667
CD006	recall@86.0%	0.667
CD006	recall@87.0%	0.667
CD006	recall@88.0%	0.667
CD006	recall@89.0%	0.667
CD006	recall@90.0%	0.667
CD006	recall@91.0%	0.667
CD006	recall@92.0%	0.667
CD006	recall@93.0%	0.667
CD006	recall@94.0%	0.667
CD006	recall@95.0%	0.667
CD006	recall@96.0%	0.667
CD006	recall@97.0%	0.667
CD006	recall@98.0%	0.667
CD006	recall@99.0%	0.667
CD006	recall@100.0%	0.667
CD006	total_cost	-52.0
CD006	norm_area	0.826
CD006	ap	0.681
CD006	r	1.0
CD006	loss_e	0.943
CD006	loss_r	0.0
CD006	loss_er	0.943
CD007	num_shown	15
CD007	rels_found	5
CD007	num_rels	5
CD007	last_rel	14
CD007	norm_last_rel	0.933
CD007	threshold	11
CD007	norm_threshold	0.733
CD007	wss_100	0.067
CD007	wss_95	0.017
CD007	cg_total	5.0
CD007	cg_max	5.0
CD007	cg_threshold	4.0
CD007	recall_threshold	0.8
CD007	threshold	11
CD007	recall@1.0%	0.0
CD007	recall@2.0%	0.0
CD007	recall@3.0%	0.0
CD007	recall@4.0%	0.0
CD007	recall@5.0%	0.0
CD007	recall@6.0%	0.0
CD007	recall@7.0%	0.0
CD007	recall@8.0%	0.0
CD007	recall@9.0%	0.0
CD007	recall@10.0%	0.2
CD007	recall@11.0%	0.2
CD007	recall@12.0%	0.2
CD007	recall@13.0%	0.2
CD007	recall@14.0%	0.2
CD007	recall@15.0%	0.2
CD007	recall@16.0%	0.2
CD007	recall@17.0%	0.2
CD007	recall@18.0%	0.2
CD007	recall@19.0%	0.2
CD007	recall@20.0%	0.2
CD007	recall@21.0%	0.2
CD007	recall@22.0%	0.2
CD007	recall@23.0%	0.2
CD007	recall@24.0%	0.2
CD007	recall@25.0%	0.2
CD007	recall@26.0%	0.2
CD007	recall@27.0%	0.2
CD007	recall@28.0%	0.2
CD007	recall@29.0%	0.2
CD007	recall@30.0%	0.2
CD007	recall@31.0%	0.4
CD007	recall@32.0%	0.4
CD007	recall@33.0%	0.4
CD007	recall@34.0%	0.4
CD007	recall@35.0%	0.4
CD007	recall@36.0%	0.4
CD007	recall@37.0%	0.4
CD007	recall@38.0%	0.4
CD007	recall@39.0%	0.4
CD007	recall@40.0%	0.4
CD007	recall@41.0%	0.4
CD007	recall@42.0%	0.4
CD007	recall@43.0%	0.4
CD007	recall@44.0%	0.4
CD007	recall@45.0%	0.4
CD007	recall@46.0%	0.4
CD007	recall@47.0%	0.4
CD007	recall@48.0%	0.4
CD007	recall@49.0%	0.4
CD007	recall@50.0%	0.4
CD007	recall@51.0%	0.4
CD007	recall@52.0%	0.4
CD007	recall@53.0%	0.4
CD007	recall@54.0%	0.4
CD007	recall@55.0%	0.4
CD007	recall@56.0%	0.4
CD007	recall@57.0%	0.6
CD007	recall@58.0%	0.6
CD007	recall@59.0%	0.6
CD007	recall@60.0%	0.6
CD007	recall@61.0%	0.6
CD007	recall@62.0%	0.6
CD007	recall@63.0%	0.6
CD007	recall@64.0%	0.6
CD007	recall@65.0%	0.6
CD007	recall@66.0%	0.6
CD007	recall@67.0%	0.6
CD007	recall@68.0%	0.6
CD007	recall@69.0%	0.6
CD007	recall@70.0%	0.6
CD007	recall@71.0%	0.8
CD007	recall@72.0%	0.8
CD007	recall@73.0%	0.8
CD007	recall@74.0%	0.8
CD007	recall@75.0%	0.8
CD007	recall@76.0%	0.8
CD007	recall@77.0%	0.8
CD007	recall@78.0%	0.8
CD007	recall@79.0%	0.8
CD007	recall@80.0%	0.8
CD007	recall@81.0%	0.8
CD007	recall@82.0%	0.8
CD007	recall@83.0%	0.8
CD007	recall@84.0%	0.8
CD007	recall@85.0%	0.8
CD007	recall@86.0%	0.8
CD007	recall@87.0%	0.8
CD007	recall@88.0%	0.8
CD007	recall@89.0%	0.8
CD007	recall@90.0%	1.0
CD007	recall@91.0%	1.0
CD007	recall@92.0%	1.0
CD007	recall@93.0%	1.0
CD007	recall@94.0%	1.0
CD007	recall@95.0%	1.0
CD007	recall@96.0%	1.0
CD007	recall@97.0%	1.0
CD007	recall@98.0%	1.0
CD007	recall@99.0%	1.0
CD007	recall@100.0%	1.0
CD007	total_cost	86.0
CD007	norm_area	0.584
CD007	ap	0.391
CD007	r	0.4
CD007	loss_e	0.145
CD007	loss_r	0.36
CD007	loss_er	0.505
CD008	num_shown	50
CD008	rels_found	30
CD008	num_rels	30
CD008	last_rel	37
CD008	norm_last_rel	0.74
CD008	threshold	40
CD008	norm_threshold	0.8
CD008	wss_100	0.26
CD008	wss_95	0.25
CD008	cg_total	30.0
CD008	cg_max	30.0
CD008	cg_threshold	30.0
CD008	recall_threshold	1.0
CD008	threshold	40
CD008	recall@1.0%	0.0
CD008	recall@2.0%	0.033
CD008	recall@3.0%	0.067
CD008	recall@4.0%	0.067
CD008	recall@5.0%	0.067
CD008	recall@6.0%	0.1
CD008	recall@7.0%	0.133
CD008	recall@8.0%	0.133
CD008	recall@9.0%	0.133
CD008	recall@10.0%	0.167
CD008	recall@11.0%	0.2
CD008	recall@12.0%	0.2
CD008	recall@13.0%	0.2
CD008	recall@14.0%	0.233
CD008	recall@15.0%	0.267
CD008	recall@16.0%	0.267
CD008	recall@17.0%	0.267
CD008	recall@18.0%	0.3
CD008	recall@19.0%	0.333
CD008	recall@20.0%	0.333
CD008	recall@21.0%	0.333
CD008	recall@22.0%	0.367
CD008	recall@23.0%	0.367
CD008	recall@24.0%	0.367
CD008	recall@25.0%	0.367
CD008	recall@26.0%	0.4
CD008	recall@27.0%	0.433
CD008	recall@28.0%	0.433
CD008	recall@29.0%	0.433
CD008	recall@30.0%	0.467
CD008	recall@31.0%	0.5
CD008	recall@32.0%	0.5
CD008	recall@33.0%	0.5
CD008	recall@34.0%	0.5
CD008	recall@35.0%	0.533
CD008	recall@36.0%	0.533
CD008	recall@37.0%	0.533
CD008	recall@38.0%	0.567
CD008	recall@39.0%	0.6
CD008	recall@40.0%	0.6
CD008	recall@41.0%	0.6
CD008	recall@42.0%	0.633
CD008	recall@43.0%	0.667
CD008	recall@44.0%	0.667
CD008	recall@45.0%	0.667
CD008	recall@46.0%	0.7
CD008	recall@47.0%	0.7
CD008	recall@48.0%	0.7
CD008	recall@49.0%	0.7
CD008	recall@50.0%	0.7
CD008	recall@51.0%	0.7
CD008	recall@52.0%	0.7
CD008	recall@53.0%	0.7
CD008	recall@54.0%	0.733
CD008	recall@55.0%	0.767
CD008	recall@56.0%	0.767
CD008	recall@57.0%	0.767
CD008	recall@58.0%	0.8
CD008	recall@59.0%	0.8
CD008	recall@60.0%	0.8
CD008	recall@61.0%	0.8
CD008	recall@62.0%	0.8
CD008	recall@63.0%	0.833
CD008	recall@64.0%	0.833
CD008	recall@65.0%	0.833
CD008	recall@66.0%	0.867
CD008	recall@67.0%	0.9
CD008	recall@68.0%	0.9
CD008	recall@69.0%	0.9
CD008	recall@70.0%	0.933
CD008	recall@71.0%	0.967
CD008	recall@72.0%	0.967
CD008	recall@73.0%	0.967
CD008	recall@74.0%	1.0
CD008	recall@75.0%	1.0
CD008	recall@76.0%	1.0
CD008	recall@77.0%	1.0
CD008	recall@78.0%	1.0
CD008	recall@79.0%	1.0
CD008	recall@80.0%	1.0
CD008	recall@81.0%	1.0
CD008	recall@82.0%	1.0
CD008	recall@83.0%	1.0
CD008	recall@84.0%	1.0
CD008	recall@85.0%	1.0
CD008	recall@86.0%	1.0
CD008	recall@87.0%	1.0
CD008	recall@88.0%	1.0
CD008	recall@89.0%	1.0
CD008	recall@90.0%	1.0
CD008	recall@91.0%	1.0
CD008	recall@92.0%	1.0
CD008	recall@93.0%	1.0
CD008	recall@94.0%	1.0
CD008	recall@95.0%	1.0
CD008	recall@96.0%	1.0
CD008	recall@97.0%	1.0
CD008	recall@98.0%	1.0
CD008	recall@99.0%	1.0
CD008	recall@100.0%	1.0
CD008	total_cost	-560.0
CD008	norm_area	0.93
CD008	ap	0.913
CD008	r	1.0
CD008	loss_e	0.379
CD008	loss_r	0.0
CD008	loss_er	0.379
ALL	num_shown	108
ALL	rels_found	56
ALL	num_rels	58
ALL	last_rel	22.0
ALL	norm_last_rel	0.76
ALL	threshold	25.0
ALL	norm_threshold	0.787
ALL	wss_100	0.178
ALL	wss_95	0.15
ALL	cg_total	14.0
ALL	cg_max	14.0
ALL	cg_threshold	14.0
ALL	recall_threshold	0.925
ALL	threshold	25.0
ALL	recall@1.0%	0.0
ALL	recall@2.0%	0.017
ALL	recall@3.0%	0.034
ALL	recall@4.0%	0.052
ALL	recall@5.0%	0.052
ALL	recall@6.0%	0.069
ALL	recall@7.0%	0.103
ALL	recall@8.0%	0.121
ALL	recall@9.0%	0.121
ALL	recall@10.0%	0.155
ALL	recall@11.0%	0.172
ALL	recall@12.0%	0.19
ALL	recall@13.0%	0.19
ALL	recall@14.0%	0.207
ALL	recall@15.0%	0.224
ALL	recall@16.0%	0.224
ALL	recall@17.0%	0.241
ALL	recall@18.0%	0.259
ALL	recall@19.0%	0.293
ALL	recall@20.0%	0.293
ALL	recall@21.0%	0.293
ALL	recall@22.0%	0.328
ALL	recall@23.0%	0.328
ALL	recall@24.0%	0.345
ALL	recall@25.0%	0.345
ALL	recall@26.0%	0.362
ALL	recall@27.0%	0.379
ALL	recall@28.0%	0.379
ALL	recall@29.0%	0.379
ALL	recall@30.0%	0.397
ALL	recall@31.0%	0.431
ALL	recall@32.0%	0.431
ALL	recall@33.0%	0.431
ALL	recall@34.0%	0.448
ALL	recall@35.0%	0.466
ALL	recall@36.0%	0.483
ALL	recall@37.0%	0.483
ALL	recall@38.0%	0.5
ALL	recall@39.0%	0.517
ALL	recall@40.0%	0.517
ALL	recall@41.0%	0.517
ALL	recall@42.0%	0.534
ALL	recall@43.0%	0.552
ALL	recall@44.0%	0.569
ALL	recall@45.0%	0.569
ALL	recall@46.0%	0.586
ALL	recall@47.0%	0.603
ALL	recall@48.0%	0.603
ALL	recall@49.0%	0.603
ALL	recall@50.0%	0.603
ALL	recall@51.0%	0.603
ALL	recall@52.0%	0.603
ALL	recall@53.0%	0.603
ALL	recall@54.0%	0.638
ALL	recall@55.0%	0.655
ALL	recall@56.0%	0.655
ALL	recall@57.0%	0.69
ALL	recall@58.0%	0.707
ALL	recall@59.0%	0.724
ALL	recall@60.0%	0.724
ALL	recall@61.0%	0.724
ALL	recall@62.0%	0.741
ALL	recall@63.0%	0.759
ALL	recall@64.0%	0.776
ALL	recall@65.0%	0.776
ALL	recall@66.0%	0.793
ALL	recall@67.0%	0.81
ALL	recall@68.0%	0.81
ALL	recall@69.0%	0.828
ALL	recall@70.0%	0.845
ALL	recall@71.0%	0.879
ALL	recall@72.0%	0.897
ALL	recall@73.0%	0.897
ALL	recall@74.0%	0.931
ALL	recall@75.0%	0.931
ALL	recall@76.0%	0.931
ALL	recall@77.0%	0.931
ALL	recall@78.0%	0.931
ALL	recall@79.0%	0.931
ALL	recall@80.0%	0.931
ALL	recall@81.0%	0.931
ALL	recall@82.0%	0.931
ALL	recall@83.0%	0.931
ALL	recall@84.0%	0.931
ALL	recall@85.0%	0.931
ALL	recall@86.0%	0.931
ALL	recall@87.0%	0.931
ALL	recall@88.0%	0.931
ALL	recall@89.0%	0.931
ALL	recall@90.0%	0.948
ALL	recall@91.0%	0.948
ALL	recall@92.0%	0.948
ALL	recall@93.0%	0.948
ALL	recall@94.0%	0.948
ALL	recall@95.0%	0.948
ALL	recall@96.0%	0.948
ALL	recall@97.0%	0.948
ALL	recall@98.0%	0.948
ALL	recall@99.0%	0.948
ALL	recall@100.0%	0.948
ALL	total_cost	-204.0
ALL	norm_area	0.763
ALL	ap	0.626
ALL	r	0.825
ALL	loss_e	0.464
ALL	loss_r	0.092
ALL	loss_er	0.557
"""

  /// Case C: tar_eval_2018.py output.
  static let expectedC = """
CD043	num_shown	1000
CD043	rels_found	43
CD043	num_rels	43
CD043	last_rel	800
CD043	norm_last_rel	0.8
CD043	threshold	1000
CD043	norm_threshold	1.0
CD043	wss_100	0.2
CD043	wss_95	0.473
CD043	cg_total	43.0
CD043	cg_max	43.0
CD043	cg_threshold	43.0
CD043	recall_threshold	1.0
CD043	threshold	1000
CD043	recall@1.0%	0.233
CD043	recall@2.0%	0.465
CD043	recall@3.0%	0.698
CD043	recall@4.0%	0.907
CD043	recall@5.0%	0.907
CD043	recall@6.0%	0.907
CD043	recall@7.0%	0.907
CD043	recall@8.0%	0.907
CD043	recall@9.0%	0.907
CD043	recall@10.0%	0.907
CD043	recall@11.0%	0.907
CD043	recall@12.0%	0.907
CD043	recall@13.0%	0.907
CD043	recall@14.0%	0.907
CD043	recall@15.0%	0.907
CD043	recall@16.0%	0.907
CD043	recall@17.0%	0.907
CD043	recall@18.0%	0.907
CD043	recall@19.0%	0.907
CD043	recall@20.0%	0.907
CD043	recall@21.0%	0.907
CD043	recall@22.0%	0.907
CD043	recall@23.0%	0.907
CD043	recall@24.0%	0.907
CD043	recall@25.0%	0.907
CD043	recall@26.0%	0.907
CD043	recall@27.0%	0.907
CD043	recall@28.0%	0.907
CD043	recall@29.0%	0.907
CD043	recall@30.0%	0.907
CD043	recall@31.0%	0.907
CD043	recall@32.0%	0.93
CD043	recall@33.0%	0.93
CD043	recall@34.0%	0.93
CD043	recall@35.0%	0.93
CD043	recall@36.0%	0.93
CD043	recall@37.0%	0.93
CD043	recall@38.0%	0.93
CD043	recall@39.0%	0.93
CD043	recall@40.0%	0.93
CD043	recall@41.0%	0.93
CD043	recall@42.0%	0.93
CD043	recall@43.0%	0.93
CD043	recall@44.0%	0.93
CD043	recall@45.0%	0.93
CD043	recall@46.0%	0.93
CD043	recall@47.0%	0.93
CD043	recall@48.0%	0.953
CD043	recall@49.0%	0.953
CD043	recall@50.0%	0.953
CD043	recall@51.0%	0.953
CD043	recall@52.0%	0.953
CD043	recall@53.0%	0.953
CD043	recall@54.0%	0.953
CD043	recall@55.0%	0.953
CD043	recall@56.0%	0.953
CD043	recall@57.0%	0.953
CD043	recall@58.0%	0.953
CD043	recall@59.0%	0.953
CD043	recall@60.0%	0.977
CD043	recall@61.0%	0.977
CD043	recall@62.0%	0.977
CD043	recall@63.0%	0.977
CD043	recall@64.0%	0.977
CD043	recall@65.0%	0.977
CD043	recall@66.0%	0.977
CD043	recall@67.0%	0.977
CD043	recall@68.0%	0.977
CD043	recall@69.0%	0.977
CD043	recall@70.0%	0.977
CD043	recall@71.0%	0.977
CD043	recall@72.0%	0.977
CD043	recall@73.0%	0.977
CD043	recall@74.0%	0.977
CD043	recall@75.0%	0.977
CD043	recall@76.0%	0.977
CD043	recall@77.0%	0.977
CD043	recall@78.0%	0.977
CD043	recall@79.0%	0.977
CD043	recall@80.0%	1.0
CD043	recall@81.0%	1.0
CD043	recall@82.0%	1.0
CD043	recall@83.0%	1.0
CD043	recall@84.0%	1.0
CD043	recall@85.0%	1.0
CD043	recall@86.0%	1.0
CD043	recall@87.0%	1.0
CD043	recall@88.0%	1.0
CD043	recall@89.0%	1.0
CD043	recall@90.0%	1.0
CD043	recall@91.0%	1.0
CD043	recall@92.0%	1.0
CD043	recall@93.0%	1.0
CD043	recall@94.0%	1.0
CD043	recall@95.0%	1.0
CD043	recall@96.0%	1.0
CD043	recall@97.0%	1.0
CD043	recall@98.0%	1.0
CD043	recall@99.0%	1.0
CD043	recall@100.0%	1.0
CD043	total_cost	140.0
CD043	norm_area	0.952
CD043	ap	0.915
CD043	r	1.0
CD043	loss_e	0.489
CD043	loss_r	0.0
CD043	loss_er	0.489
ALL	num_shown	1000
ALL	rels_found	43
ALL	num_rels	43
ALL	last_rel	800.0
ALL	norm_last_rel	0.8
ALL	threshold	1000.0
ALL	norm_threshold	1.0
ALL	wss_100	0.2
ALL	wss_95	0.473
ALL	cg_total	43.0
ALL	cg_max	43.0
ALL	cg_threshold	43.0
ALL	recall_threshold	1.0
ALL	threshold	1000.0
ALL	recall@1.0%	0.233
ALL	recall@2.0%	0.465
ALL	recall@3.0%	0.698
ALL	recall@4.0%	0.907
ALL	recall@5.0%	0.907
ALL	recall@6.0%	0.907
ALL	recall@7.0%	0.907
ALL	recall@8.0%	0.907
ALL	recall@9.0%	0.907
ALL	recall@10.0%	0.907
ALL	recall@11.0%	0.907
ALL	recall@12.0%	0.907
ALL	recall@13.0%	0.907
ALL	recall@14.0%	0.907
ALL	recall@15.0%	0.907
ALL	recall@16.0%	0.907
ALL	recall@17.0%	0.907
ALL	recall@18.0%	0.907
ALL	recall@19.0%	0.907
ALL	recall@20.0%	0.907
ALL	recall@21.0%	0.907
ALL	recall@22.0%	0.907
ALL	recall@23.0%	0.907
ALL	recall@24.0%	0.907
ALL	recall@25.0%	0.907
ALL	recall@26.0%	0.907
ALL	recall@27.0%	0.907
ALL	recall@28.0%	0.907
ALL	recall@29.0%	0.907
ALL	recall@30.0%	0.907
ALL	recall@31.0%	0.907
ALL	recall@32.0%	0.93
ALL	recall@33.0%	0.93
ALL	recall@34.0%	0.93
ALL	recall@35.0%	0.93
ALL	recall@36.0%	0.93
ALL	recall@37.0%	0.93
ALL	recall@38.0%	0.93
ALL	recall@39.0%	0.93
ALL	recall@40.0%	0.93
ALL	recall@41.0%	0.93
ALL	recall@42.0%	0.93
ALL	recall@43.0%	0.93
ALL	recall@44.0%	0.93
ALL	recall@45.0%	0.93
ALL	recall@46.0%	0.93
ALL	recall@47.0%	0.93
ALL	recall@48.0%	0.953
ALL	recall@49.0%	0.953
ALL	recall@50.0%	0.953
ALL	recall@51.0%	0.953
ALL	recall@52.0%	0.953
ALL	recall@53.0%	0.953
ALL	recall@54.0%	0.953
ALL	recall@55.0%	0.953
ALL	recall@56.0%	0.953
ALL	recall@57.0%	0.953
ALL	recall@58.0%	0.953
ALL	recall@59.0%	0.953
ALL	recall@60.0%	0.977
ALL	recall@61.0%	0.977
ALL	recall@62.0%	0.977
ALL	recall@63.0%	0.977
ALL	recall@64.0%	0.977
ALL	recall@65.0%	0.977
ALL	recall@66.0%	0.977
ALL	recall@67.0%	0.977
ALL	recall@68.0%	0.977
ALL	recall@69.0%	0.977
ALL	recall@70.0%	0.977
ALL	recall@71.0%	0.977
ALL	recall@72.0%	0.977
ALL	recall@73.0%	0.977
ALL	recall@74.0%	0.977
ALL	recall@75.0%	0.977
ALL	recall@76.0%	0.977
ALL	recall@77.0%	0.977
ALL	recall@78.0%	0.977
ALL	recall@79.0%	0.977
ALL	recall@80.0%	1.0
ALL	recall@81.0%	1.0
ALL	recall@82.0%	1.0
ALL	recall@83.0%	1.0
ALL	recall@84.0%	1.0
ALL	recall@85.0%	1.0
ALL	recall@86.0%	1.0
ALL	recall@87.0%	1.0
ALL	recall@88.0%	1.0
ALL	recall@89.0%	1.0
ALL	recall@90.0%	1.0
ALL	recall@91.0%	1.0
ALL	recall@92.0%	1.0
ALL	recall@93.0%	1.0
ALL	recall@94.0%	1.0
ALL	recall@95.0%	1.0
ALL	recall@96.0%	1.0
ALL	recall@97.0%	1.0
ALL	recall@98.0%	1.0
ALL	recall@99.0%	1.0
ALL	recall@100.0%	1.0
ALL	total_cost	140.0
ALL	norm_area	0.952
ALL	ap	0.915
ALL	r	1.0
ALL	loss_e	0.489
ALL	loss_r	0.0
ALL	loss_er	0.489
"""

}
