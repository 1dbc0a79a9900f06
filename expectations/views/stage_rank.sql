select * from (values ('谋划', 1), ('储备', 2), ('开工在建', 3), ('竣工投产', 4)) as s(stage, rank_no)
